/**
 * The conversation on screen: user bubbles, assistant bubbles that grow as tokens stream in, and
 * a small status line under each answer (mode, tokens, speed). Rendering only; the history the
 * model sees lives in conversation.ts.
 */

export interface StreamingBubble {
  append(text: string): void;
  finish(note: string): void;
  fail(message: string): void;
  readonly text: string;
}

export class ChatView {
  constructor(private readonly log: HTMLElement) {}

  clear(): void {
    this.log.replaceChildren();
  }

  addUser(text: string): void {
    this.#bubble('user', text);
  }

  startAssistant(): StreamingBubble {
    const el = this.#bubble('assistant streaming', '');
    const body = el.querySelector('.text') as HTMLElement;
    let text = '';
    const note = document.createElement('div');
    note.className = 'note';
    return {
      append: (t) => {
        text += t;
        body.textContent = text;
        this.log.scrollTop = this.log.scrollHeight;
      },
      finish: (n) => {
        el.classList.remove('streaming');
        el.dataset.done = 'true';
        note.textContent = n;
        el.append(note);
      },
      fail: (m) => {
        el.classList.remove('streaming');
        el.classList.add('error');
        el.dataset.done = 'error';
        note.textContent = m;
        el.append(note);
      },
      get text() {
        return text;
      },
    };
  }

  #bubble(kind: string, text: string): HTMLElement {
    const el = document.createElement('div');
    el.className = `msg ${kind}`;
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    el.append(body);
    this.log.append(el);
    this.log.scrollTop = this.log.scrollHeight;
    return el;
  }
}
