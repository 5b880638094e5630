/**
 * Renders an OpenAI message list as EVE's prompt: the whole history in the conversation template
 * (vicuna_v1 by default), system messages replacing the template's system prompt, the image as
 * `<image>\n` at the front of the first user turn (as the release's runners and demo place it,
 * wherever the request put it), and an open assistant slot at the end. The TWO-style templates
 * need strictly alternating turns, so consecutive messages of one role are joined with a newline.
 * Literal `<image>` in message text is removed: it would otherwise splice a second placeholder.
 */
import { renderPrompt, type ConversationMessage, type ConversationTemplate } from '@evejs/tokenizer';
import { badRequest } from './api-error.js';
import type { ChatMessage } from './chat-request.js';

const IMAGE_TAG = /<image>/g;

/** Builds the prompt text; throws 400 when the turns cannot form an EVE conversation. */
export function buildPrompt(template: ConversationTemplate, messages: readonly ChatMessage[], hasImage: boolean): string {
  const systems = messages.filter((m) => m.role === 'system').map((m) => m.text.replace(IMAGE_TAG, ''));
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const text = m.text.replace(IMAGE_TAG, '');
    const last = turns[turns.length - 1];
    if (last && last.role === m.role) last.text = `${last.text}\n${text}`;
    else turns.push({ role: m.role, text });
  }
  if (turns.length === 0 || turns[0]!.role !== 'user') throw badRequest('the conversation must start with a user message (after any system messages)', 'messages', 'invalid_value');
  if (turns[turns.length - 1]!.role !== 'user') throw badRequest('the last message must be a user message', 'messages', 'invalid_value');
  const [userRole, assistantRole] = template.roles;
  const rendered: ConversationMessage[] = turns.map((t, i) => {
    let text = t.text.trim();
    if (i === 0 && hasImage) text = `<image>\n${text}`;
    // An empty turn would render as the open slot ("ROLE:") and corrupt the history.
    if (text === '') throw badRequest(`turn ${i + 1} (${t.role}) has no text`, 'messages', 'empty_message');
    return { role: t.role === 'user' ? userRole : assistantRole, text };
  });
  rendered.push({ role: assistantRole, text: null });
  const system = systems.length > 0 ? systems.join('\n') : template.system;
  return renderPrompt({ ...template, system }, rendered);
}
