#!/usr/bin/env python3
"""Builds intents.jsonl, the assistant's labelled corpus, from three sources:

1. hand/<intent>.txt — utterances written by hand, one a line: `c ` (calm) or `e ` (emotional)
   then the text; `{ORDER}` becomes an 18-digit order number. Lines starting with # are comments.
   Beside them, the hand-written lines of other writers: `second-writer.jsonl`, the complaint
   stories of `stories-writer-a.jsonl` and `stories-writer-b.jsonl`, and the held-out
   utterance sets already scored (SEEN_SETS, in ../eval; one independent writer each). A set
   joins only after it has been scored once: an unscored set still measures the model.
2. The compositional templates below: an opener, a context (product, time, order number), a core
   phrase of the intent, a request, and for emotional lines some heat — each slot drawn from
   varied fillers. They top each intent up to TARGET utterances.

Deterministic (fixed seed): `python3 corpus/build_corpus.py` from crates/assistant rewrites
intents.jsonl identically. Every line is {"text", "intent", "tone", "source"}.
"""

import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SEEN_SETS = [
    "utterances-heldout.jsonl", "utterances-heldout-2.jsonl", "utterances-heldout-3.jsonl",
    "utterances-heldout-4.jsonl", "utterances-heldout-5.jsonl", "utterances-heldout-6.jsonl",
    "utterances-heldout-7.jsonl", "utterances-heldout-8.jsonl", "utterances-heldout-9.jsonl",
    "utterances-heldout-10.jsonl", "utterances-heldout-11.jsonl", "utterances-heldout-12.jsonl",
]
# Complaint stories as buyers open a chat, by two more writers (stories-writers.md).
STORY_WRITERS = ["stories-writer-a", "stories-writer-b"]
TARGET = 260
SEED = 20260513

INTENTS = [
    "quality_defect", "not_as_described", "counterfeit", "false_advertising",
    "refuse_to_ship", "late_shipment", "harassment", "return_refused", "shipping_fee",
    "refund_not_received", "fake_transactions", "ip_infringement", "escalate",
    "check_status", "how_to_complain",
]

PRODUCTS = [
    "保温杯", "蓝牙耳机", "羽绒服", "口红", "奶粉", "手机壳", "充电宝", "电饭煲", "运动鞋",
    "连衣裙", "扫地机器人", "空气炸锅", "吹风机", "电动牙刷", "行李箱", "面霜", "精华液", "猫粮",
    "机械键盘", "显示器", "智能手表", "台灯", "四件套", "床垫", "牛仔裤", "卫衣", "双肩包",
    "防晒霜", "纸尿裤", "坚果礼盒", "茶叶", "蜂蜜", "路由器", "平板电脑", "笔记本电脑", "电风扇",
    "加湿器", "洗碗机", "微波炉", "电热水壶", "儿童玩具", "积木", "婴儿车", "钓鱼竿", "瑜伽垫",
    "登山包", "皮鞋", "太阳镜", "香水", "粉底液", "洗发水", "沐浴露", "拖把", "收纳箱", "窗帘",
    "办公椅", "书桌", "投影仪", "游戏手柄", "鼠标", "耳机", "手机", "冲锋衣", "围巾", "帽子",
]
PRODUCTS_EN = [
    "headphones", "thermos", "down jacket", "lipstick", "phone case", "power bank", "rice cooker",
    "sneakers", "dress", "robot vacuum", "air fryer", "hair dryer", "toothbrush", "suitcase",
    "face cream", "keyboard", "monitor", "smartwatch", "desk lamp", "mattress", "jeans", "backpack",
    "router", "tablet", "laptop", "blender", "kettle", "perfume", "shampoo", "baby formula",
]
TIMES = [
    "昨天", "前天", "三天前", "上周", "上周五", "两周前", "5月3日", "上个月", "双十一", "10号",
    "大前天", "一个星期前", "上礼拜三", "4月20日", "月初", "前几天", "今天早上", "上周末",
]
TIMES_EN = ["yesterday", "3 days ago", "last week", "last Friday", "two weeks ago", "on May 3", "a month ago"]
OPENERS = [
    "", "", "", "", "您好，", "你好，", "客服你好，", "在吗？", "亲，", "麻烦问一下，", "我想反映个问题，",
    "客服，", "小蜜，", "请问一下，", "打扰了，",
]
OPENERS_EN = ["", "", "", "Hi, ", "Hello, ", "Excuse me, ", "Hey, "]
AMOUNTS = ["59.9元", "199元", "¥89", "三百块", "1299元", "四十块钱", "¥2,499", "五十九块", "128元", "两千多块"]
DAYS = ["三", "五", "七", "十", "两", "4", "6", "8", "12", "十五"]

# Core phrases per intent ({P} product, {N} days, {A} amount, {T} time).
CORES = {
    "quality_defect": [
        "{P}用了{N}天就坏了", "{P}收到就是坏的，开不了机", "{P}有一股很重的异味", "{P}一碰就断了",
        "{P}开线了，做工很粗糙", "{P}漏水，底部一直渗水", "{P}充不进电", "{P}外壳有裂纹",
        "{P}用起来发烫，还有焦味", "{P}掉漆掉得厉害", "{P}按键失灵", "{P}没用几次就不转了",
        "{P}的零件松动，一晃就响", "{P}里面发霉了", "{P}出现故障，时好时坏", "{P}质量有问题，才{N}天就不能用了",
        "{P}表面全是划痕和气泡", "{P}连接不稳定，老是断开", "{P}的螺丝都滑丝了", "{P}一洗就变形了",
    ],
    "not_as_described": [
        "收到的{P}和图片上的颜色完全不一样", "{P}的尺寸和描述不符", "{P}的材质跟详情页写的不一样",
        "发来的{P}型号不对", "{P}少发了配件，描述里写了有", "{P}跟宣传图片差距太大", "买的{P}发成了别的款式",
        "{P}的规格和页面标的不一致", "{P}不是我下单的颜色", "{P}的数量比描述的少", "{P}实物比图片小很多",
        "{P}写的是新品，收到的是旧款", "收到的{P}跟商品详情写的参数对不上", "{P}的重量和页面写的差了一半",
        "发给我的{P}是错的，不是我买的那个", "{P}的容量比写的小",
    ],
    "counterfeit": [
        "{P}是假货", "{P}不是正品，专柜验过了", "{P}的防伪码查不到", "{P}是高仿的", "{P}和官网正品对比明显是假的",
        "怀疑{P}是仿冒品", "{P}鉴定结果是假的", "{P}序列号查询无效", "店里卖的{P}是山寨货", "{P}的包装和正品不一样，是假冒的",
        "{P}品牌方说不是他们生产的", "这家店的{P}是A货冒充正品",
    ],
    "false_advertising": [
        "{P}的广告说效果很好，实际完全没用", "页面上{P}的原价是虚标的", "{P}宣传的功效都是假的",
        "直播间说{P}是全网最低价，其实不是", "买{P}说好的赠品没有兑现", "{P}的活动优惠是假的，先涨价再打折",
        "{P}宣传写的获奖证书是编的", "{P}的广告夸大其词", "{P}标榜的医用级根本不存在", "{P}说的限时折扣天天都有",
        "宣传说{P}能用十年，说明书写的是一年", "{P}的详情页宣传和实际功能不符，属于虚假宣传",
        "{P}广告里的明星代言是假的", "{P}宣称的销量第一没有任何依据",
    ],
    "refuse_to_ship": [
        "{P}付款后商家说没货不发了", "商家不给我发{P}，让我申请退款", "{P}拍下以后卖家说价格错了不发货",
        "卖家要我加钱才发{P}", "商家把我的{P}订单取消了，拒绝发货", "{P}下单后店家说不卖了",
        "商家拒绝发货，说{P}库存不足，但页面还在卖", "卖家说我的地址不发{P}", "商家不肯按活动价发{P}",
        "{P}付了款，商家联系我说发不了，让我退款",
    ],
    "late_shipment": [
        "{P}拍了{N}天还没发货", "{P}一直显示待发货", "{P}超过承诺的发货时间了还没发", "{P}预售拖了好久还不发",
        "催了几次{P}都不发货", "{P}说好48小时发货，现在{N}天了", "{P}只有单号没有物流信息", "{P}迟迟不发货",
        "{P}到现在都还没揽收", "商家说{P}要再等等才能发，都{N}天了",
    ],
    "harassment": [
        "给{P}写了差评以后商家一直打电话骚扰我", "买了{P}之后卖家天天发短信", "商家为了{P}的评价威胁我",
        "卖家因为{P}的差评辱骂我", "买{P}的店家泄露了我的个人信息", "商家一直打电话让我改{P}的评价",
        "{P}的卖家用小号加我微信骂人", "为了让我删{P}的差评，商家每天骚扰我", "商家半夜打电话问我{P}为什么给中评",
        "{P}的客服在聊天里恐吓我",
    ],
    "return_refused": [
        "{P}申请退货被商家拒绝了", "{P}想换货，卖家不同意", "{P}七天无理由退货被拒", "{P}商家不给退货地址",
        "{P}寄回去了商家拒收", "卖家说{P}拆封了不能退", "{P}不合适想退，店家说不退不换", "{P}申请换新被驳回",
        "商家以影响二次销售为由不给退{P}", "{P}有问题商家只修不换也不退",
    ],
    "shipping_fee": [
        "{P}退货运费商家不承担", "{P}的运费险一直没赔", "{P}写着包邮还收了我运费", "{P}退款没退运费",
        "{P}到付收了我运费", "{P}换货的来回运费都让我出", "{P}偏远地区要加运费", "{P}退货运费只给报一半",
        "{P}运费险理赔被拒", "买{P}被多收了运费",
    ],
    "refund_not_received": [
        "{P}的退款还没到账", "{P}退款显示成功但是没收到钱", "{P}退货商家签收了还不退款", "{P}退款一直在退款中",
        "{P}的退款只退了一部分", "{P}退款说原路退回，卡里没有", "商家答应退{P}的钱，一直没退", "{P}退款{N}天了还没到",
        "{P}的{A}退款到现在都没收到", "{P}退款成功了，余额里没有",
    ],
    "fake_transactions": [
        "卖{P}的这家店在刷单", "{P}的包裹里有好评返现卡", "这家{P}店的评价都是刷的", "卖{P}的店铺招人刷单",
        "{P}的销量是刷出来的", "商家让我给{P}刷好评返现", "举报卖{P}的店铺虚假交易", "{P}店铺用小号刷好评",
        "卖{P}的商家寄空包刷销量", "{P}这家店炒信",
    ],
    "ip_infringement": [
        "这家店卖的{P}盗用了我的原创设计", "卖{P}的店盗用了我们的商品图", "这家{P}侵犯了我们的商标权",
        "{P}抄袭了我们的外观专利", "这家店的{P}是盗版的", "卖{P}的店铺未经授权使用我们的品牌",
        "{P}的图案是我的原创作品，被盗用了", "{P}的详情页抄了我们的原创文案", "举报{P}侵权，我是权利人",
        "这家店的{P}侵犯了我们的著作权",
    ],
    "escalate": [
        "我要转人工", "请帮我转人工客服", "{P}的问题商家不处理，我要升级投诉", "{P}的事情我要求平台介入",
        "给我找个人工客服", "{P}的调解结果我不接受，申请升级", "请让主管来处理{P}的投诉", "机器人解决不了，我要人工",
        "{P}跟商家协商不成，申请小二介入", "我要和真人客服说话",
    ],
    "check_status": [
        "{P}的投诉处理到哪一步了", "我的投诉有进展了吗", "查一下{P}投诉的进度", "{P}的投诉商家回复了没有",
        "我提交的投诉什么时候有结果", "{P}的维权现在什么状态", "我的举报受理了吗", "{P}的平台介入有结果了吗",
        "帮我查查投诉进度", "{P}那个投诉现在谁在处理",
    ],
    "how_to_complain": [
        "{P}有问题怎么投诉", "我想投诉卖{P}的商家，怎么操作", "投诉需要什么材料", "在哪里投诉",
        "{P}的事情应该去哪里维权", "怎么发起投诉", "投诉流程是什么", "怎么上传{P}的证据",
        "{P}这种情况能投诉吗", "投诉入口在哪里",
    ],
}

CORES_EN = {
    "quality_defect": ["the {P} broke after {N} days", "the {P} stopped working", "the {P} arrived defective", "the {P} leaks", "the {P} won't turn on"],
    "not_as_described": ["the {P} looks nothing like the pictures", "the {P} is the wrong size", "I received the wrong {P}", "the {P} is a different color than listed", "the {P} is missing parts that the listing includes"],
    "counterfeit": ["the {P} is fake", "the {P} is not authentic", "the {P} is a counterfeit", "the {P} failed authentication", "the {P} is a cheap knockoff"],
    "false_advertising": ["the ad for the {P} was misleading", "the {P} discount was fake", "the {P} doesn't do anything the ad claimed", "the promised gift with the {P} never came", "the original price of the {P} is made up"],
    "refuse_to_ship": ["the seller refuses to ship my {P}", "the shop cancelled my {P} order after payment", "they won't send the {P} unless I pay more", "the seller says the {P} price was a mistake and won't ship"],
    "late_shipment": ["my {P} still hasn't shipped after {N} days", "the {P} is way past the promised shipping time", "the {P} has been awaiting shipment forever", "the seller keeps delaying my {P}"],
    "harassment": ["the seller keeps calling me about my {P} review", "the shop threatened me after I reviewed the {P}", "the {P} seller keeps texting me to delete my review", "the seller insulted me over the {P}"],
    "return_refused": ["the seller refused to take back the {P}", "they won't let me return the {P}", "my {P} exchange request was rejected", "the shop won't give me a return address for the {P}"],
    "shipping_fee": ["they charged me shipping on the {P} despite free shipping", "the seller won't cover return postage for the {P}", "my shipping insurance for the {P} return was never paid", "the {P} shipping fee wasn't refunded"],
    "refund_not_received": ["I never got my refund for the {P}", "the {P} refund says completed but no money arrived", "the seller got the {P} back and didn't refund me", "the refund for the {P} is stuck"],
    "fake_transactions": ["the {P} shop is faking orders", "the {P} seller pays for five-star reviews", "the {P} reviews are all fake", "there was a cashback-for-review card with the {P}"],
    "ip_infringement": ["the {P} uses my design without permission", "this shop stole our photos for the {P}", "the {P} infringes our trademark", "the {P} copies our patented design"],
    "escalate": ["I want a human agent", "please escalate my {P} complaint", "get me a real person", "I need the platform to step in on the {P} dispute"],
    "check_status": ["what's the status of my {P} complaint", "any update on my complaint", "has the seller replied about the {P}", "where is my {P} case at"],
    "how_to_complain": ["how do I complain about the {P}", "where do I file a complaint", "how do I report this seller", "what do I need to file a complaint about the {P}"],
}

REQUESTS = {
    "default": ["", "", "，请尽快处理", "，怎么办", "，希望给个说法", "，麻烦帮忙看一下", "，请帮我处理一下", "。"],
    "escalate": ["", "", "，谢谢", "，尽快", "，我在线等"],
    "check_status": ["", "", "？", "，谢谢", "，麻烦查一下"],
    "how_to_complain": ["", "？", "，谢谢", "，求指导"],
    "refund_not_received": ["", "，请帮我查一下", "，什么时候能到", "，请尽快退给我", "。"],
}
REQUESTS_EN = ["", ".", ", please help.", ", what can I do?", ", please look into it."]

HEAT_PRE = ["垃圾商家！", "骗子！", "什么破店，", "气死了，", "无语，", "TMD，", "太坑了，", "奸商！", "真服了，", ""]
HEAT_POST = [
    "！！！", "！！", "？？？", "，气死我了！", "，太坑了！", "，我要投诉到底！", "，再不处理我就曝光你们！",
    "，无语！", "，你们等着！", "，垃圾！！", "，骗子！！！", "，太过分了！！", "，欺人太甚！", "，什么玩意！",
]
HEAT_PRE_EN = ["Ridiculous! ", "WTF, ", "Unbelievable, ", "Scammers! ", ""]
HEAT_POST_EN = ["!!!", "!! What a joke", ". Worst shop ever!!", "!!! I'll sue you", ". You liars!!", ". FED UP!!!"]


def order_no(rng):
    return "20" + "".join(rng.choice("0123456789") for _ in range(16))


def fill(rng, s, en=False):
    return (
        s.replace("{P}", rng.choice(PRODUCTS_EN if en else PRODUCTS))
        .replace("{N}", rng.choice(["3", "5", "7", "10", "two", "four"]) if en else rng.choice(DAYS))
        .replace("{A}", rng.choice(AMOUNTS))
        .replace("{T}", rng.choice(TIMES_EN if en else TIMES))
        .replace("{ORDER}", order_no(rng))
    )


def template(rng, intent, emotional):
    if rng.random() < 0.15:
        core = rng.choice(CORES_EN[intent])
        ctx = rng.choice(["", "", "Order {ORDER}: ", "I bought it {T}, "])
        text = rng.choice(OPENERS_EN) + ctx + core + rng.choice(REQUESTS_EN)
        text = text[0].upper() + text[1:]
        if emotional:
            text = rng.choice(HEAT_PRE_EN) + text.rstrip(".") + rng.choice(HEAT_POST_EN)
            if rng.random() < 0.3:
                text = text.upper()
        return fill(rng, text, en=True)
    core = rng.choice(CORES[intent])
    ctx = rng.choice(["", "", "", "{T}买的，", "订单{ORDER}，", "订单号：{ORDER}，", "{T}下的单，", "单号{ORDER}，"])
    if "{P}" not in core and rng.random() < 0.3:
        ctx = rng.choice(["{T}买了{P}，", "我买的{P}，"])
    req = rng.choice(REQUESTS.get(intent, REQUESTS["default"]))
    if emotional:
        text = rng.choice(HEAT_PRE) + ctx + core + rng.choice(HEAT_POST)
    else:
        text = rng.choice(OPENERS) + ctx + core + req
    return fill(rng, text)


def main():
    rng = random.Random(SEED)
    out, seen = [], set()
    for intent in INTENTS:
        hand = []
        with open(os.path.join(HERE, "hand", intent + ".txt"), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                tone, text = line.split(" ", 1)
                hand.append(({"c": "calm", "e": "emotional"}[tone], fill(rng, text.strip())))
        hand = [(tone, text, "hand") for tone, text in hand]
        # A scored set's lines keep its name as their source, so that
        # examples/writers_crossval.rs can leave one writer out.
        others = [(os.path.join(HERE, "second-writer.jsonl"), "hand")]
        others += [(os.path.join(HERE, name + ".jsonl"), name) for name in STORY_WRITERS]
        others += [(os.path.join(HERE, "..", "eval", name), name.removesuffix(".jsonl"))
                   for name in SEEN_SETS]
        for path, source in others:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    row = json.loads(line)
                    if row["intent"] == intent:
                        hand.append((row["tone"], row["text"], source))
        n = 0
        for tone, text, source in hand:
            if text not in seen:
                seen.add(text)
                out.append({"text": text, "intent": intent, "tone": tone, "source": source})
                n += 1
        tries = 0
        while n < TARGET and tries < 10000:
            tries += 1
            emotional = rng.random() < 0.3
            text = template(rng, intent, emotional)
            if text in seen:
                continue
            seen.add(text)
            out.append({"text": text, "intent": intent, "tone": "emotional" if emotional else "calm", "source": "template"})
            n += 1
    with open(os.path.join(HERE, "intents.jsonl"), "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {}
    for row in out:
        key = (row["intent"], row["source"])
        counts[key] = counts.get(key, 0) + 1
    for intent in INTENTS:
        hand = sum(v for (i, src), v in counts.items() if i == intent and src != "template")
        print(f"{intent:22} by hand {hand:4}  template {counts.get((intent, 'template'), 0):4}")
    print("total", len(out))


if __name__ == "__main__":
    main()
