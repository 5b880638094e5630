/**
 * The EvalAI answer normaliser (EVE-SPEC §9.3): the exact string rules of `EvalAIAnswerProcessor`
 * in the release's `eve/eval/m4c_evaluator.py` (itself copied from mmf), which VQAv2 and VizWiz
 * uploads and the local TextVQA / shapes scores apply to predictions and ground truths.
 *
 * This reproduces the reference's behaviour, quirks included (see the comments); it is not a
 * "better" normaliser. Whitespace means Python's `str.isspace`, not JavaScript's `\s`.
 */

/** Python's `str.isspace` characters (JavaScript's `\s` adds U+FEFF and lacks U+001C–U+001F, U+0085). */
const PY_WS = '\\t\\n\\v\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_TRIM = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
const PY_SPLIT = new RegExp(`[${PY_WS}]+`);

/** Python `str.strip()`. */
export function pythonStrip(s: string): string {
  return s.replace(PY_TRIM, '');
}

/** Python `str.split()` with no argument: runs of whitespace, no empty items. */
export function pythonSplit(s: string): string[] {
  return s.split(PY_SPLIT).filter((w) => w.length > 0);
}

const PUNCTUATIONS = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!'];

const NUMBER_MAP: Readonly<Record<string, string>> = {
  none: '0', zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5',
  six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
};

const ARTICLES = new Set(['a', 'an', 'the']);

// Keys with capitals (Id've, Im, Ive, …) are kept as in the reference; they can never match
// because words are lower-cased first.
const CONTRACTIONS: Readonly<Record<string, string>> = {
  aint: "ain't", arent: "aren't", cant: "can't", couldve: "could've", couldnt: "couldn't",
  "couldn'tve": "couldn't've", "couldnt've": "couldn't've", didnt: "didn't", doesnt: "doesn't",
  dont: "don't", hadnt: "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've", hasnt: "hasn't",
  havent: "haven't", hed: "he'd", "hed've": "he'd've", "he'dve": "he'd've", hes: "he's", howd: "how'd",
  howll: "how'll", hows: "how's", "Id've": "I'd've", "I'dve": "I'd've", Im: "I'm", Ive: "I've",
  isnt: "isn't", itd: "it'd", "itd've": "it'd've", "it'dve": "it'd've", itll: "it'll", "let's": "let's",
  maam: "ma'am", mightnt: "mightn't", "mightnt've": "mightn't've", "mightn'tve": "mightn't've",
  mightve: "might've", mustnt: "mustn't", mustve: "must've", neednt: "needn't", notve: "not've",
  oclock: "o'clock", oughtnt: "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
  "'ow'sat": "'ow's'at", shant: "shan't", "shed've": "she'd've", "she'dve": "she'd've",
  "she's": "she's", shouldve: "should've", shouldnt: "shouldn't", "shouldnt've": "shouldn't've",
  "shouldn'tve": "shouldn't've", "somebody'd": 'somebodyd', "somebodyd've": "somebody'd've",
  "somebody'dve": "somebody'd've", somebodyll: "somebody'll", somebodys: "somebody's",
  someoned: "someone'd", "someoned've": "someone'd've", "someone'dve": "someone'd've",
  someonell: "someone'll", someones: "someone's", somethingd: "something'd",
  "somethingd've": "something'd've", "something'dve": "something'd've", somethingll: "something'll",
  thats: "that's", thered: "there'd", "thered've": "there'd've", "there'dve": "there'd've",
  therere: "there're", theres: "there's", theyd: "they'd", "theyd've": "they'd've",
  "they'dve": "they'd've", theyll: "they'll", theyre: "they're", theyve: "they've", twas: "'twas",
  wasnt: "wasn't", "wed've": "we'd've", "we'dve": "we'd've", weve: "we've", werent: "weren't",
  whatll: "what'll", whatre: "what're", whats: "what's", whatve: "what've", whens: "when's",
  whered: "where'd", wheres: "where's", whereve: "where've", whod: "who'd", "whod've": "who'd've",
  "who'dve": "who'd've", wholl: "who'll", whos: "who's", whove: "who've", whyll: "why'll",
  whyre: "why're", whys: "why's", wont: "won't", wouldve: "would've", wouldnt: "wouldn't",
  "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've", yall: "y'all", "yall'll": "y'all'll",
  "y'allll": "y'all'll", "yall'd've": "y'all'd've", "y'alld've": "y'all'd've",
  "y'all'dve": "y'all'd've", youd: "you'd", "youd've": "you'd've", "you'dve": "you'd've",
  youll: "you'll", youre: "you're", youve: "you've",
};

/** Lowercase, drop commas and `?`, split off `'s`, trim (the reference's `word_tokenize`). */
function wordTokenize(s: string): string {
  return pythonStrip(s.toLowerCase().replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's"));
}

/**
 * Each punctuation mark is judged on the input string (not the running result): deleted when it
 * touches a space anywhere, else replaced by a space. The reference's digit-comma exception
 * cannot fire because commas are gone. Then periods not followed by a digit are deleted — at most
 * 32 of them, because the reference passes `re.UNICODE` (= 32) as `re.sub`'s count.
 */
function processPunctuation(input: string): string {
  let out = input;
  for (const p of PUNCTUATIONS) {
    out = input.includes(`${p} `) || input.includes(` ${p}`) ? out.replaceAll(p, '') : out.replaceAll(p, ' ');
  }
  let deletions = 0;
  let result = '';
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    const next = out[i + 1];
    if (c === '.' && deletions < 32 && !(next !== undefined && next >= '0' && next <= '9')) {
      deletions++;
      continue;
    }
    result += c;
  }
  return result;
}

function processDigitArticle(input: string): string {
  const words: string[] = [];
  for (const raw of pythonSplit(input.toLowerCase())) {
    const w = Object.hasOwn(NUMBER_MAP, raw) ? NUMBER_MAP[raw]! : raw;
    if (!ARTICLES.has(w)) words.push(w);
  }
  return words.map((w) => (Object.hasOwn(CONTRACTIONS, w) ? CONTRACTIONS[w]! : w)).join(' ');
}

/**
 * Normalises an answer exactly as EvalAI / the EVE release does.
 *
 * @example
 * normalizeAnswer('Two dogs.'); // '2 dogs'
 * normalizeAnswer("It's the man's hat!"); // "it 's man 's hat"
 */
export function normalizeAnswer(answer: string): string {
  let s = wordTokenize(answer);
  s = pythonStrip(s.replaceAll('\n', ' ').replaceAll('\t', ' '));
  s = processPunctuation(s);
  return processDigitArticle(s);
}
