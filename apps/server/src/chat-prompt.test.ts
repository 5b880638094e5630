import { describe, expect, it } from 'vitest';
import { getConversationTemplate } from '@evejs/tokenizer';
import { ApiError } from './api-error.js';
import { buildPrompt } from './chat-prompt.js';
import type { ChatMessage } from './chat-request.js';

const vicuna = getConversationTemplate('vicuna_v1');
const SYSTEM = vicuna.system;
const msg = (role: ChatMessage['role'], text: string): ChatMessage => ({ role, text, images: [] });

describe('buildPrompt (vicuna_v1)', () => {
  it('renders one turn with the image first, as EVE runners do', () => {
    expect(buildPrompt(vicuna, [msg('user', 'What is this?')], true)).toBe(`${SYSTEM} USER: <image>\nWhat is this? ASSISTANT:`);
    expect(buildPrompt(vicuna, [msg('user', 'What is this?')], false)).toBe(`${SYSTEM} USER: What is this? ASSISTANT:`);
  });

  it('renders history with </s> after answers, the image in the first user turn', () => {
    const p = buildPrompt(vicuna, [msg('user', 'q1'), msg('assistant', ' a1 '), msg('user', 'q2')], true);
    expect(p).toBe(`${SYSTEM} USER: <image>\nq1 ASSISTANT: a1</s>USER: q2 ASSISTANT:`);
  });

  it('uses system messages as the system prompt and merges consecutive turns', () => {
    const p = buildPrompt(vicuna, [msg('system', 'Be brief.'), msg('user', 'a'), msg('user', 'b')], false);
    expect(p).toBe('Be brief. USER: a\nb ASSISTANT:');
  });

  it('removes literal <image> tags from text (only the server places the image)', () => {
    expect(buildPrompt(vicuna, [msg('user', '<image>\nhi <image>')], false)).toBe(`${SYSTEM} USER: hi ASSISTANT:`);
    expect(buildPrompt(vicuna, [msg('user', 'hi <image>')], true)).toBe(`${SYSTEM} USER: <image>\nhi ASSISTANT:`);
  });

  it('refuses conversations EVE cannot render', () => {
    expect(() => buildPrompt(vicuna, [msg('assistant', 'x'), msg('user', 'y')], false)).toThrow(ApiError);
    expect(() => buildPrompt(vicuna, [msg('user', 'x'), msg('assistant', 'y')], false)).toThrow(/last message/);
    expect(() => buildPrompt(vicuna, [msg('system', 'only system')], false)).toThrow(ApiError);
    expect(() => buildPrompt(vicuna, [msg('user', ' ')], false)).toThrow(/no text/);
  });
});
