/**
 * The chat history of the page and its two renderings: OpenAI messages for server mode, and
 * EVE's prompt text for in-browser mode. The prompt follows apps/server's chat-prompt.ts turn for
 * turn (image as `<image>\n` at the front of the first user turn, vicuna_v1, an open assistant
 * slot), so both modes give the model the same ids.
 */
import { renderPrompt, type ConversationMessage, type ConversationTemplate } from '@evejs/tokenizer';

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

const IMAGE_TAG = /<image>/g;

export class Conversation {
  readonly turns: Turn[] = [];

  add(role: Turn['role'], text: string): void {
    this.turns.push({ role, text });
  }

  clear(): void {
    this.turns.length = 0;
  }

  /** OpenAI chat messages; the image (a data URL) rides on the first user message. */
  toOpenAiMessages(imageDataUrl: string | null): unknown[] {
    return this.turns.map((t, i) =>
      i === 0 && imageDataUrl && t.role === 'user'
        ? { role: 'user', content: [{ type: 'image_url', image_url: { url: imageDataUrl } }, { type: 'text', text: t.text }] }
        : { role: t.role, content: t.text },
    );
  }

  /** EVE's prompt for the history, ending in an open assistant slot. */
  toPrompt(template: ConversationTemplate, hasImage: boolean): string {
    const [userRole, assistantRole] = template.roles;
    const rendered: ConversationMessage[] = this.turns.map((t, i) => {
      let text = t.text.replace(IMAGE_TAG, '').trim();
      if (i === 0 && hasImage) text = `<image>\n${text}`;
      return { role: t.role === 'user' ? userRole : assistantRole, text };
    });
    rendered.push({ role: assistantRole, text: null });
    return renderPrompt(template, rendered);
  }
}
