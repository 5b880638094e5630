/**
 * EVE's conversation templates (`eve/conversation.py` of baaivision/EVE, EVEv1) and their
 * `get_prompt` rendering, byte for byte: `vicuna_v1` (inference and SFT), `plain` (pre-training),
 * and the other registered names. It renders text only; ids come from `tokenizerImageToken` and
 * training labels from `preprocessV1` / `preprocessPlain`.
 */
import { EveError } from '@evejs/tensor';
import { pyStrip } from './python-strip.js';

/** How messages are joined (`SeparatorStyle`). */
export type SeparatorStyle = 'single' | 'two' | 'plain' | 'llama2';

/** A template: system prompt, role names and separators. */
export interface ConversationTemplate {
  readonly name: string;
  readonly system: string;
  readonly roles: readonly [string, string];
  readonly style: SeparatorStyle;
  readonly sep: string;
  /** `None` in Python for single/plain templates. */
  readonly sep2: string | null;
  /** `version` in Python: `mmtag` in it changes the image message. */
  readonly version: string;
  /** Messages the template starts with (only `v0`/`default` has some: a canned exchange). */
  readonly initialMessages: readonly ConversationMessage[];
  /** Index of the first message the UI shows (`offset`). */
  readonly offset: number;
}

/**
 * One message. `text: null` (or `''`, falsy in Python) is the open slot the model fills:
 * it renders as `ROLE:`. `hasImage` marks the demo path's `(text, image, mode)` tuple.
 */
export interface ConversationMessage {
  readonly role: string;
  readonly text: string | null;
  readonly hasImage?: boolean;
}

const HUMAN_SYSTEM =
  'A chat between a curious human and an artificial intelligence assistant. ' +
  "The assistant gives helpful, detailed, and polite answers to the human's questions.";
const USER_SYSTEM =
  'A chat between a curious user and an artificial intelligence assistant. ' +
  "The assistant gives helpful, detailed, and polite answers to the user's questions.";
const MMTAG_SYSTEM =
  'A chat between a curious user and an artificial intelligence assistant. ' +
  'The assistant is able to understand the visual content that the user provides, and assist the user with a variety of tasks using natural language.' +
  'The visual content will be provided with the following format: <Image>visual content</Image>.';
const LLAMA2_SYSTEM = `You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe.  Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are socially unbiased and positive in nature.

If a question does not make any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't know the answer to a question, please don't share false information.`;
const EVE_LLAMA2_SYSTEM =
  'You are a helpful language and vision assistant. ' +
  'You are able to understand the visual content that the user provides, ' +
  'and assist the user with a variety of tasks using natural language.';

const V0_CANNED: readonly ConversationMessage[] = [
  { role: 'Human', text: 'What are the key differences between renewable and non-renewable energy sources?' },
  {
    role: 'Assistant',
    text:
      'Renewable energy sources are those that can be replenished naturally in a relatively ' +
      'short amount of time, such as solar, wind, hydro, geothermal, and biomass. ' +
      'Non-renewable energy sources, on the other hand, are finite and will eventually be ' +
      'depleted, such as coal, oil, and natural gas. Here are some key differences between ' +
      'renewable and non-renewable energy sources:\n' +
      '1. Availability: Renewable energy sources are virtually inexhaustible, while non-renewable ' +
      'energy sources are finite and will eventually run out.\n' +
      '2. Environmental impact: Renewable energy sources have a much lower environmental impact ' +
      'than non-renewable sources, which can lead to air and water pollution, greenhouse gas emissions, ' +
      'and other negative effects.\n' +
      '3. Cost: Renewable energy sources can be more expensive to initially set up, but they typically ' +
      'have lower operational costs than non-renewable sources.\n' +
      '4. Reliability: Renewable energy sources are often more reliable and can be used in more remote ' +
      'locations than non-renewable sources.\n' +
      '5. Flexibility: Renewable energy sources are often more flexible and can be adapted to different ' +
      'situations and needs, while non-renewable sources are more rigid and inflexible.\n' +
      '6. Sustainability: Renewable energy sources are more sustainable over the long term, while ' +
      'non-renewable sources are not, and their depletion can lead to economic and social instability.\n',
  },
];

type TemplateFields = Omit<ConversationTemplate, 'name' | 'initialMessages' | 'offset' | 'version'> &
  Partial<Pick<ConversationTemplate, 'initialMessages' | 'offset' | 'version'>>;

const define = (name: string, t: TemplateFields): ConversationTemplate =>
  Object.freeze({ name, version: 'Unknown', initialMessages: [], offset: 0, ...t });

const vicunaV0 = define('vicuna_v0', { system: HUMAN_SYSTEM, roles: ['Human', 'Assistant'], style: 'single', sep: '###', sep2: null, initialMessages: V0_CANNED, offset: 2 });
const vicunaV1 = define('vicuna_v1', { system: USER_SYSTEM, roles: ['USER', 'ASSISTANT'], style: 'two', sep: ' ', sep2: '</s>', version: 'v1' });
const llama2 = define('llama_2', { system: LLAMA2_SYSTEM, roles: ['USER', 'ASSISTANT'], style: 'llama2', sep: '<s>', sep2: '</s>', version: 'llama_v2' });
const eveLlama2 = define('eve_llama_2', { system: EVE_LLAMA2_SYSTEM, roles: ['USER', 'ASSISTANT'], style: 'llama2', sep: '<s>', sep2: '</s>', version: 'llama_v2' });
const evePlain = define('plain', { system: '', roles: ['', ''], style: 'plain', sep: '\n', sep2: null });
const eveV0 = define('eve_v0', { system: HUMAN_SYSTEM, roles: ['Human', 'Assistant'], style: 'single', sep: '###', sep2: null });
const eveV0Mmtag = define('v0_mmtag', { system: MMTAG_SYSTEM, roles: ['Human', 'Assistant'], style: 'single', sep: '###', sep2: null, version: 'v0_mmtag' });
const eveV1 = define('eve_v1', { system: HUMAN_SYSTEM, roles: ['USER', 'ASSISTANT'], style: 'two', sep: ' ', sep2: '</s>', version: 'v1' });
const eveV1Mmtag = define('v1_mmtag', { system: MMTAG_SYSTEM, roles: ['USER', 'ASSISTANT'], style: 'two', sep: ' ', sep2: '</s>', version: 'v1_mmtag' });

/** `conv_templates` of eve/conversation.py, by the same names. */
export const CONVERSATION_TEMPLATES: Readonly<Record<string, ConversationTemplate>> = Object.freeze({
  default: vicunaV0,
  v0: vicunaV0,
  v1: vicunaV1,
  vicuna_v1: vicunaV1,
  llama_2: llama2,
  plain: evePlain,
  v0_plain: evePlain,
  eve_v0: eveV0,
  v0_mmtag: eveV0Mmtag,
  eve_v1: eveV1,
  v1_mmtag: eveV1Mmtag,
  eve_llama_2: eveLlama2,
});

/** `default_conversation`: `vicuna_v1`. */
export const DEFAULT_CONVERSATION_TEMPLATE = vicunaV1;

/** Looks a template up by its EVE name (`--conv-mode` / `--version`). */
export function getConversationTemplate(name: string): ConversationTemplate {
  const t = CONVERSATION_TEMPLATES[name];
  if (!t) throw new EveError(`unknown conversation template ${JSON.stringify(name)} (known: ${Object.keys(CONVERSATION_TEMPLATES).join(', ')})`);
  return t;
}

/** Python's `str.lstrip(chars)`. */
function lstripChars(s: string, chars: string): string {
  let i = 0;
  while (i < s.length && chars.includes(s[i]!)) i++;
  return s.slice(i);
}

/**
 * Renders messages as `Conversation.get_prompt()` does. Pass exactly the messages the Python
 * conversation would hold (prepend `template.initialMessages` for `v0`, as `copy()` keeps them).
 *
 * @example
 * renderPrompt(getConversationTemplate('vicuna_v1'), [
 *   { role: 'USER', text: '<image>\nWhat is this?' },
 *   { role: 'ASSISTANT', text: null },
 * ]); // "A chat between ... questions. USER: <image>\nWhat is this? ASSISTANT:"
 */
export function renderPrompt(template: ConversationTemplate, messages: readonly ConversationMessage[]): string {
  let msgs = messages.map((m) => ({ role: m.role, text: m.text }));
  const first = messages[0];
  if (first?.hasImage) {
    // get_prompt's tuple branch: move the image to the front of the first message.
    const text = pyStrip((first.text ?? '').replaceAll('<image>', ''));
    if (template.version.includes('mmtag')) {
      msgs = [
        { role: template.roles[0], text: '<Image><image></Image>' },
        { role: template.roles[1], text: 'Received.' },
        { role: first.role, text },
        ...msgs.slice(1),
      ];
    } else {
      msgs[0] = { role: first.role, text: `<image>\n${text}` };
    }
  }
  const { sep, sep2, system } = template;
  let ret = '';
  switch (template.style) {
    case 'single':
      ret = system + sep;
      for (const m of msgs) ret += m.text ? `${m.role}: ${m.text}${sep}` : `${m.role}:`;
      return ret;
    case 'two':
      ret = system + sep;
      msgs.forEach((m, i) => {
        ret += m.text ? `${m.role}: ${m.text}${i % 2 === 0 ? sep : sep2 ?? ''}` : `${m.role}:`;
      });
      return ret;
    case 'llama2':
      msgs.forEach((m, i) => {
        if (i === 0 && (!m.text || m.role !== template.roles[0])) {
          throw new EveError('llama_2 template: the first message must be a non-empty user message');
        }
        if (!m.text) return;
        let text = m.text;
        if (i === 0) text = `<<SYS>>\n${system}\n<</SYS>>\n\n${text}`;
        ret += i % 2 === 0 ? `${sep}[INST] ${text} [/INST]` : ` ${text} ${sep2 ?? ''}`;
      });
      // Python's ret.lstrip("<s>") strips any of the characters '<', 's', '>'.
      return lstripChars(ret, sep);
    case 'plain':
      ret = system;
      msgs.forEach((m, i) => {
        if (!m.text) return;
        const s = i % 2 === 0 ? sep : sep2;
        // Python raises TypeError here (str + None); EVE's preprocess_plain builds its text itself.
        if (s === null) throw new EveError('plain template: a second message has no separator (sep2 is None in EVE)');
        ret += m.text + s;
      });
      return ret;
  }
}
