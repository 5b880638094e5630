import { describe, expect, it } from 'vitest';
import { eveGoldens } from '../test/eve-goldens.js';
import { llama2Tokenizer } from '../test/goldens.js';
import { CONVERSATION_TEMPLATES, getConversationTemplate, renderPrompt } from './conversation.js';
import { tokenizerImageToken } from './image-token.js';

describe('renderPrompt (eve/conversation.py get_prompt)', () => {
  it.each(eveGoldens().prompts.map((p) => [p.template, p] as const))('renders %s as the Python release', (name, p) => {
    const messages = p.messages.map(([role, text]) => ({ role, text }));
    expect(renderPrompt(getConversationTemplate(name), messages)).toBe(p.prompt);
  });

  it('renders the single-turn inference prompt of vicuna_v1', () => {
    const prompt = renderPrompt(getConversationTemplate('vicuna_v1'), [
      { role: 'USER', text: '<image>\nWhat is this?' },
      { role: 'ASSISTANT', text: null },
    ]);
    expect(prompt).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nWhat is this? ASSISTANT:",
    );
  });

  it('moves an attached image to the front of the first message (demo path)', () => {
    const t = getConversationTemplate('v1');
    expect(renderPrompt(t, [{ role: 'USER', text: '  What is <image> this? ', hasImage: true }, { role: 'ASSISTANT', text: null }])).toBe(
      `${t.system} USER: <image>\nWhat is  this? ASSISTANT:`,
    );
  });

  it('keeps v0’s canned exchange as initial messages and knows every EVE name', () => {
    expect(CONVERSATION_TEMPLATES.v0!.initialMessages).toHaveLength(2);
    expect(Object.keys(CONVERSATION_TEMPLATES).sort()).toEqual(
      ['default', 'eve_llama_2', 'eve_v0', 'eve_v1', 'llama_2', 'plain', 'v0', 'v0_mmtag', 'v0_plain', 'v1', 'v1_mmtag', 'vicuna_v1'].sort(),
    );
    expect(() => getConversationTemplate('nope')).toThrow(/unknown conversation template/);
  });

  it('fails like the reference on a second plain message', () => {
    expect(() => renderPrompt(getConversationTemplate('plain'), [{ role: '', text: '<image>' }, { role: '', text: 'caption' }])).toThrow(/sep2/);
  });
});

describe('tokenizerImageToken (eve/mm_utils.py)', () => {
  it.each(eveGoldens().prompts.map((p) => [p.template, p] as const))('gives the reference ids for %s', async (_name, p) => {
    expect(tokenizerImageToken(await llama2Tokenizer(), p.prompt)).toEqual(p.ids);
  });

  it('puts -200 between chunks with the dummy-prefix piece after it (EVE-SPEC §5.2)', async () => {
    const tok = await llama2Tokenizer();
    expect(tokenizerImageToken(tok, 'USER: <image>\nHi')).toEqual([1, 3148, 1001, 29901, 29871, -200, 29871, 13, 18567]);
    expect(tokenizerImageToken(tok, '<image>')).toEqual([1, -200]);
  });
});
