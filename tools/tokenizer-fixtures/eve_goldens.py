"""EVE prompt goldens: conversation templates, tokenizer_image_token and label masking.

The logic below restates baaivision/EVE (EVEv1, cc63ec7): eve/conversation.py get_prompt,
eve/mm_utils.py tokenizer_image_token, eve/train/train.py preprocess_multimodal / preprocess_v1 /
preprocess_plain, on Python lists instead of torch tensors. Called by generate_goldens.py.
"""
import copy
import json

IGNORE_INDEX = -100
IMAGE_TOKEN_INDEX = -200
DEFAULT_IMAGE_TOKEN = "<image>"

VICUNA_SYSTEM = ("A chat between a curious user and an artificial intelligence assistant. "
                 "The assistant gives helpful, detailed, and polite answers to the user's questions.")
EVE_SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. "
              "The assistant gives helpful, detailed, and polite answers to the human's questions.")
LLAMA2_SYSTEM = """You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe.  Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are socially unbiased and positive in nature.

If a question does not make any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't know the answer to a question, please don't share false information."""

TEMPLATES = {
    "vicuna_v1": dict(system=VICUNA_SYSTEM, roles=("USER", "ASSISTANT"), style="TWO", sep=" ", sep2="</s>", version="v1"),
    "eve_v1": dict(system=EVE_SYSTEM, roles=("USER", "ASSISTANT"), style="TWO", sep=" ", sep2="</s>", version="v1"),
    "plain": dict(system="", roles=("", ""), style="PLAIN", sep="\n", sep2=None, version="Unknown"),
    "eve_v0": dict(system=EVE_SYSTEM, roles=("Human", "Assistant"), style="SINGLE", sep="###", sep2=None, version="Unknown"),
    "llama_2": dict(system=LLAMA2_SYSTEM, roles=("USER", "ASSISTANT"), style="LLAMA_2", sep="<s>", sep2="</s>", version="llama_v2"),
}


def get_prompt(t, messages):
    """conversation.py Conversation.get_prompt (messages: list of [role, text-or-None])."""
    style, sep, sep2, system = t["style"], t["sep"], t["sep2"], t["system"]
    if style == "SINGLE":
        ret = system + sep
        for role, message in messages:
            ret += role + ": " + message + sep if message else role + ":"
    elif style == "TWO":
        seps = [sep, sep2]
        ret = system + seps[0]
        for i, (role, message) in enumerate(messages):
            ret += role + ": " + message + seps[i % 2] if message else role + ":"
    elif style == "LLAMA_2":
        ret = ""
        for i, (role, message) in enumerate(messages):
            if message:
                if i == 0:
                    message = f"<<SYS>>\n{system}\n<</SYS>>\n\n" + message
                if i % 2 == 0:
                    ret += sep + f"[INST] {message} [/INST]"
                else:
                    ret += " " + message + " " + sep2
        ret = ret.lstrip(sep)
    elif style == "PLAIN":
        seps = [sep, sep2]
        ret = system
        for i, (role, message) in enumerate(messages):
            if message:
                ret += message + seps[i % 2]  # TypeError for a 2nd message: plain's sep2 is None
    return ret


def tokenizer_image_token(prompt, tokenizer):
    prompt_chunks = [tokenizer(chunk) for chunk in prompt.split("<image>")]

    def insert_separator(X, sep):
        return [ele for sublist in zip(X, [sep] * len(X)) for ele in sublist][:-1]

    input_ids = []
    offset = 0
    if len(prompt_chunks) > 0 and len(prompt_chunks[0]) > 0 and prompt_chunks[0][0] == tokenizer.bos_token_id:
        offset = 1
        input_ids.append(prompt_chunks[0][0])
    for x in insert_separator(prompt_chunks, [IMAGE_TOKEN_INDEX] * (offset + 1)):
        input_ids.extend(x[offset:])
    return input_ids


def preprocess_multimodal(source):
    for sentence in source:
        if DEFAULT_IMAGE_TOKEN in sentence["value"]:
            sentence["value"] = sentence["value"].replace(DEFAULT_IMAGE_TOKEN, "").strip()
            sentence["value"] = DEFAULT_IMAGE_TOKEN + "\n" + sentence["value"]
            sentence["value"] = sentence["value"].strip()
    return source


def preprocess_v1(source, tokenizer, has_image, model_max_length=2048, pad_token_id=0):
    t = TEMPLATES["vicuna_v1"]
    roles = {"human": t["roles"][0], "gpt": t["roles"][1]}
    if roles[source[0]["from"]] != t["roles"][0]:
        source = source[1:]
    messages = []
    for j, sentence in enumerate(source):
        role = roles[sentence["from"]]
        assert role == t["roles"][j % 2]
        messages.append([role, sentence["value"]])
    conversation = get_prompt(t, messages)
    if has_image:
        input_ids = tokenizer_image_token(conversation, tokenizer)
    else:
        input_ids = tokenizer(conversation)[:model_max_length]
    target = list(input_ids)
    sep = t["sep"] + t["roles"][1] + ": "
    total_len = sum(1 for x in target if x != pad_token_id)
    rounds = conversation.split(t["sep2"])
    cur_len = 1
    target[:cur_len] = [IGNORE_INDEX] * cur_len
    for rou in rounds:
        if rou == "":
            break
        parts = rou.split(sep)
        if len(parts) != 2:
            break
        parts[0] += sep
        if has_image:
            round_len = len(tokenizer_image_token(rou, tokenizer))
            instruction_len = len(tokenizer_image_token(parts[0], tokenizer)) - 2
        else:
            round_len = len(tokenizer(rou))
            instruction_len = len(tokenizer(parts[0])) - 2
        # torch slice assignment: clipped to the tensor, negative lengths assign nothing
        lo, hi = cur_len, min(cur_len + instruction_len, len(target))
        for k in range(lo, hi):
            target[k] = IGNORE_INDEX
        cur_len += round_len
    for k in range(cur_len, len(target)):
        target[k] = IGNORE_INDEX
    mismatch = False
    if cur_len < model_max_length and cur_len != total_len:
        target = [IGNORE_INDEX] * len(target)
        mismatch = True
    return conversation, input_ids, target, mismatch


def preprocess_plain(source, tokenizer):
    assert len(source) == 2
    assert DEFAULT_IMAGE_TOKEN in source[0]["value"]
    source[0]["value"] = DEFAULT_IMAGE_TOKEN
    conversation = source[0]["value"] + source[1]["value"] + TEMPLATES["plain"]["sep"]
    input_ids = tokenizer_image_token(conversation, tokenizer)
    target = list(input_ids)
    tokenized_len = len(tokenizer_image_token(source[0]["value"], tokenizer))
    target[:tokenized_len] = [IGNORE_INDEX] * min(tokenized_len, len(target))
    return conversation, input_ids, target


PROMPT_CASES = [
    ("vicuna_v1", [["USER", "<image>\nWhat is shown in the image?"], ["ASSISTANT", None]]),
    ("vicuna_v1", [["USER", "Hello!"], ["ASSISTANT", "Hi, how can I help?"], ["USER", "Tell me a joke."], ["ASSISTANT", None]]),
    ("vicuna_v1", [["USER", "<image>\nDescribe it."], ["ASSISTANT", "A cat on a mat."], ["USER", "What colour is the cat?"], ["ASSISTANT", "Orange."]]),
    ("eve_v1", [["USER", "<image>\nWhat is this?"], ["ASSISTANT", None]]),
    ("plain", [["", "<image>"], ["", None]]),
    ("eve_v0", [["Human", "What is 2+2?"], ["Assistant", "4"], ["Human", "And 3+3?"], ["Assistant", None]]),
    ("llama_2", [["USER", "<image>\nWhat is in the picture?"], ["ASSISTANT", "A dog."], ["USER", "Which breed?"], ["ASSISTANT", None]]),
]

SFT_CASES = [
    (True, [{"from": "human", "value": "What is in the image?\n<image>"}, {"from": "gpt", "value": "A cat sitting on a red sofa."}]),
    (True, [{"from": "human", "value": "<image>\nWhat are the colors of the bus in the image?"},
            {"from": "gpt", "value": "The bus in the image is white and red."},
            {"from": "human", "value": "What feature can be seen on the back of the bus?"},
            {"from": "gpt", "value": "The back of the bus features an advertisement."},
            {"from": "human", "value": "Is the bus driving down the street or pulled off to the side?"},
            {"from": "gpt", "value": "The bus is driving down the street, which is crowded with people and other vehicles."}]),
    (False, [{"from": "human", "value": "Write a haiku about llamas."},
             {"from": "gpt", "value": "Soft wool on the hills,\nquiet eyes above the clouds,\nllamas graze at dawn."}]),
    (False, [{"from": "human", "value": "Translate to French: good morning"}, {"from": "gpt", "value": "Bonjour"},
             {"from": "human", "value": "And good night?"}, {"from": "gpt", "value": "Bonne nuit 🌙"}]),
    (True, [{"from": "gpt", "value": "dropped first message"}, {"from": "human", "value": "<image> Count the  apples. "},
            {"from": "gpt", "value": "There are 3 apples.\n\n1. red\n2. green\n3. yellow"}]),
    (True, [{"from": "human", "value": "<image>\nQ: 中文？"}, {"from": "gpt", "value": "答：是的。"}]),
    (False, [{"from": "human", "value": "Code?"}, {"from": "gpt", "value": "```python\nprint('hi')\n```"}]),
]

PLAIN_CASES = [
    [{"from": "human", "value": "<image>\nDescribe the image briefly."}, {"from": "gpt", "value": "a man riding a horse on a beach"}],
    [{"from": "human", "value": "Render a caption <image>"}, {"from": "gpt", "value": "Two dogs play with a frisbee in the park."}],
    [{"from": "human", "value": "<image>"}, {"from": "gpt", "value": "日落时的城市天际线 🌇"}],
]


def write(tokenizer, path):
    prompts = []
    for name, messages in PROMPT_CASES:
        prompt = get_prompt(TEMPLATES[name], messages)
        prompts.append({"template": name, "messages": messages, "prompt": prompt,
                        "ids": tokenizer_image_token(prompt, tokenizer)})
    sft = []
    for has_image, source in SFT_CASES:
        src = copy.deepcopy(source)
        if has_image:
            src = preprocess_multimodal(src)
        conversation, ids, labels, mismatch = preprocess_v1(src, tokenizer, has_image)
        sft.append({"hasImage": has_image, "conversations": source, "prompt": conversation,
                    "ids": ids, "labels": labels, "mismatch": mismatch})
    plain = []
    for source in PLAIN_CASES:
        src = preprocess_multimodal(copy.deepcopy(source))
        conversation, ids, labels = preprocess_plain(src, tokenizer)
        plain.append({"conversations": source, "prompt": conversation, "ids": ids, "labels": labels})
    out = {"generator": "tools/tokenizer-fixtures/eve_goldens.py", "prompts": prompts, "sft": sft, "plain": plain}
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(prompts)} prompts, {len(sft)} SFT and {len(plain)} plain samples")
