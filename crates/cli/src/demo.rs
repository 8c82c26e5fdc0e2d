//! A deterministic demo marketplace: users, shops, orders and complaints to file, with no I/O.
//!
//! Planted patterns, fixed for every seed (the seed only moves prices, times and who buys what):
//! - Late shipper: `shop-018` (国庆数码配件店, `seller09`) promises 24 h and, for the last month,
//!   ships 72–200 h after payment, every time (the monitor finds each late order).
//! - Brushing ring: `shua01`…`shua20` each buy cheap samples 2–4 times from each of `shop-039`,
//!   `shop-040` and `shop-041` (all `seller20`), within 4 days, 3–4 weeks before `now`.
//! - Complaint wave: 6 buyers complain about leaking 304不锈钢保温杯 from `shop-009`
//!   (恒温杯具专营店, `seller05`), all between 12 and 3 days before `now`.
//! - `buyer01` has 12+ delivered orders across shops, one from `shop-001` (`seller01`), and no
//!   complaint.
//! - Reports: `buyer150` reports the ring's first shop for brushing; `buyer02`, for a brand,
//!   sends an IP notice about a listing of `shop-001`, which `seller01` can counter-notify.

use std::collections::HashSet;

use chrono::{Days, TimeDelta, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use weiquan_domain::records::{Commitments, OrderItem, OrderRecord, ShopRecord};
use weiquan_domain::{
    Category, Cents, ClaimKind, OrderNo, ReportKind, Role, ShopId, Timestamp, Username,
};

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "weiquan-demo";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoUser {
    pub username: Username,
    pub role: Role,
    pub display_name: String,
}

/// A complaint for the seeding code to file as `consumer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoComplaint {
    pub consumer: Username,
    pub order_no: OrderNo,
    pub product: String,
    pub category: Category,
    pub incident_at: Timestamp,
    pub description: String,
    pub claim_kind: ClaimKind,
    pub amount_cents: Option<i64>,
}

/// A report (举报) for the seeding code to file as `reporter`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoReport {
    pub reporter: Username,
    pub shop_id: ShopId,
    pub kind: ReportKind,
    pub description: String,
    pub listing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marketplace {
    pub users: Vec<DemoUser>,
    pub shops: Vec<ShopRecord>,
    pub orders: Vec<OrderRecord>,
    pub complaints: Vec<DemoComplaint>,
    pub reports: Vec<DemoReport>,
}

const NORMAL_ORDERS: usize = 5000;
const BUYERS: usize = 200;
const DAYS: u64 = 120;
/// China is UTC+8 all year.
const CN: i64 = 8;
const WAVE_SHOP: &str = "shop-009";
const WAVE_TITLE: &str = "304不锈钢保温杯 500ml 商务款 黑色";
const LATE_SHOP: &str = "shop-018";
const RING_SHOPS: [&str; 3] = ["shop-039", "shop-040", "shop-041"];
/// buyer01's first orders: shop indices, the first one of seller01, none planted.
const BUYER01_SHOPS: [usize; 12] = [0, 4, 12, 20, 26, 29, 36, 44, 50, 58, 1, 14];

/// Relative order volume per China hour 08…23; no night orders, so the order number's date is the
/// same in UTC and in China.
const HOUR_WEIGHTS: [u32; 16] = [2, 3, 5, 5, 6, 5, 4, 4, 4, 4, 5, 7, 9, 10, 8, 5];

/// (title, variants, min price, max price in fen).
type Product = (&'static str, &'static [&'static str], i64, i64);

/// Per category: 0 服饰, 1 数码, 2 家居, 3 食品生鲜, 4 美妆, 5 母婴, 6 图书, 7 运动户外, 8 家电.
const CATALOGUE: [&[Product]; 9] = [
    &[
        (
            "纯棉短袖T恤 男款",
            &["白色 XL", "黑色 L", "藏青 M", "灰色 XXL"],
            2900,
            12900,
        ),
        (
            "高腰直筒牛仔裤 女款",
            &["浅蓝 26码", "深蓝 27码", "黑色 28码"],
            8900,
            29900,
        ),
        (
            "连帽卫衣 加绒加厚",
            &["燕麦色 L", "黑色 XL", "雾霾蓝 M"],
            9900,
            25900,
        ),
        ("法式碎花连衣裙 收腰", &["S", "M", "L"], 12900, 39900),
        (
            "羊毛混纺针织开衫",
            &["米白 均码", "驼色 均码"],
            15900,
            49900,
        ),
        ("纯棉船袜 5双装", &["男款 混色", "女款 浅色"], 1500, 3900),
    ],
    &[
        (
            "无线蓝牙耳机 降噪",
            &["长续航 白色", "入耳式 黑色", "半入耳 星空灰"],
            9900,
            89900,
        ),
        (
            "20000mAh充电宝 22.5W快充",
            &["白色", "黑色 自带线"],
            7900,
            19900,
        ),
        ("65W氮化镓充电器 双口", &["白色", "黑色"], 5900, 16900),
        ("Type-C数据线 编织款 1.5m", &["2条装", "单条"], 1290, 4900),
        (
            "机械键盘 87键 热插拔",
            &["青轴", "茶轴", "红轴"],
            19900,
            59900,
        ),
        (
            "磁吸防摔手机壳",
            &["iPhone 15 透明", "iPhone 15 Pro 黑色", "Mate 60 磨砂"],
            1900,
            6900,
        ),
    ],
    &[
        (
            "304不锈钢保温杯 500ml",
            &["大容量 白色", "商务款 黑色", "316内胆 墨绿"],
            3900,
            15900,
        ),
        (
            "全棉四件套 1.8m床",
            &["简约条纹", "纯色 灰蓝", "小碎花"],
            19900,
            69900,
        ),
        ("记忆棉护颈枕", &["单只装", "两只装"], 6900, 25900),
        ("不粘炒锅 30cm 电磁炉通用", &["带锅盖", "无盖"], 8900, 32900),
        ("免打孔厨房置物架", &["两层", "三层"], 2900, 9900),
        ("加厚垃圾袋 100只", &["中号", "大号"], 990, 2990),
    ],
    &[
        ("赣南脐橙 5斤装", &["中果", "大果"], 2990, 6990),
        ("每日坚果 30袋装", &["混合坚果", "原味"], 6900, 15900),
        ("黄山毛峰 明前特级 250g", &["罐装", "袋装"], 8800, 36800),
        ("五常稻花香大米 10斤", &["真空包装"], 4990, 12900),
        ("智利车厘子 2斤 JJ级", &["顺丰冷链"], 9900, 25900),
        ("柳州螺蛳粉 5包", &["加辣", "原味"], 3290, 6990),
    ],
    &[
        ("玻尿酸补水面膜 10片", &["盒装"], 3900, 12900),
        (
            "丝绒哑光口红 3.5g",
            &["#999 正红", "#316 豆沙色", "#888 复古红"],
            8900,
            32000,
        ),
        ("氨基酸洁面乳 120g", &["温和不紧绷"], 3900, 12900),
        ("清爽防晒霜 SPF50+ 50ml", &["户外款", "通勤款"], 6900, 25900),
        ("补水保湿精华水 150ml", &["单瓶", "两瓶装"], 9900, 39900),
        ("双面加厚卸妆棉 222片", &["盒装"], 990, 2990),
    ],
    &[
        ("婴儿纸尿裤 L码 52片", &["超薄透气", "夜用"], 6900, 15900),
        ("宝宝辅食米粉 250g", &["1段 原味", "2段 胡萝卜"], 3900, 8900),
        ("婴儿手口湿巾 80抽", &["10包", "5包"], 3900, 8900),
        ("儿童吸管保温杯 400ml", &["粉色", "蓝色"], 4900, 12900),
        (
            "轻便可折叠婴儿推车",
            &["可坐可躺 灰色", "高景观 卡其"],
            49900,
            199900,
        ),
        (
            "纯棉婴儿连体衣 3件装",
            &["66码", "73码", "80码"],
            5900,
            15900,
        ),
    ],
    &[
        (
            "《三体》全集 刘慈欣",
            &["精装 全三册", "平装 全三册"],
            5900,
            12900,
        ),
        ("《活着》余华", &["平装 新版"], 2000, 4500),
        ("《人类简史》赫拉利", &["平装", "精装"], 3900, 8800),
        ("小学生课外阅读经典名著", &["全8册", "全12册"], 4900, 12900),
        ("考研英语真题解析", &["2025版 全套"], 3990, 9900),
        ("儿童睡前故事绘本", &["全10册"], 3900, 9900),
    ],
    &[
        (
            "男士缓震跑步鞋 透气",
            &["41码", "42码", "43码"],
            19900,
            89900,
        ),
        ("加厚瑜伽垫 10mm 防滑", &["紫色", "灰色"], 4900, 15900),
        ("三合一防水冲锋衣", &["男款 L", "女款 M"], 29900, 129900),
        ("可调节哑铃 20kg", &["一对装"], 19900, 59900),
        ("全自动帐篷 3-4人 防雨", &["军绿", "沙色"], 19900, 69900),
        (
            "速干运动短袖T恤",
            &["黑色 L", "白色 M", "蓝色 XL"],
            3900,
            12900,
        ),
    ],
    &[
        ("空气炸锅 5L 大容量", &["机械款", "触屏款"], 19900, 59900),
        ("负离子电吹风 大功率", &["家用款", "便携款"], 9900, 49900),
        ("自动集尘扫地机器人", &["标准版", "Pro版"], 99900, 399900),
        ("免滤破壁豆浆机 1.2L", &["白色"], 19900, 69900),
        ("304不锈钢电热水壶 1.7L", &["白色", "黑色"], 5900, 19900),
        ("USB充电静音桌面风扇", &["白色", "粉色"], 2900, 9900),
    ],
];

/// Samples the ring "sells": (title, min, max fen).
const RING_ITEMS: [(&str, i64, i64); 4] = [
    ("补水面膜 体验装 1片", 190, 490),
    ("口红小样 1.2g", 290, 990),
    ("卸妆棉 旅行装 20片", 150, 590),
    ("护手霜 小样 15ml", 100, 690),
];

/// seller01… in order: the owner's name and the shops (category, name). Shop ids follow this order.
const SELLERS: [(&str, &[(usize, &str)]); 32] = [
    ("陈建国", &[(2, "建国家居生活馆"), (2, "暖居厨房用品店")]),
    ("林小燕", &[(0, "燕子家原创女装"), (0, "小燕棉麻衣舍")]),
    (
        "王志强",
        &[
            (1, "强子数码旗舰店"),
            (8, "志强小家电"),
            (1, "极客外设工坊"),
        ],
    ),
    ("赵丽华", &[(3, "丽华生鲜果园")]),
    ("刘伟", &[(2, "恒温杯具专营店"), (2, "简约收纳馆")]),
    ("孙美玲", &[(4, "美玲美妆优选"), (4, "素颜护肤小铺")]),
    ("周海涛", &[(7, "海涛户外运动"), (7, "跑者装备站")]),
    (
        "吴静",
        &[(5, "静静母婴馆"), (5, "萌宝童装屋"), (5, "安心辅食铺")],
    ),
    ("郑国庆", &[(1, "国庆数码配件店")]),
    ("冯晓东", &[(6, "东东书屋"), (6, "晓东教辅专营")]),
    ("何秀英", &[(3, "秀英农家土特产"), (3, "黄山茶语")]),
    ("许文博", &[(8, "文博电器专营店"), (8, "博士厨房电器")]),
    ("马丽", &[(0, "马丽潮牌男装"), (7, "速干运动服饰")]),
    ("朱勇", &[(1, "勇哥手机壳"), (1, "闪充配件铺")]),
    (
        "胡玉兰",
        &[(2, "玉兰家纺"), (2, "好梦床品店"), (2, "兰居布艺")],
    ),
    ("高峰", &[(7, "高峰健身器材"), (7, "山野露营装备")]),
    ("罗晓梅", &[(4, "晓梅彩妆")]),
    ("梁志明", &[(3, "坚果工坊"), (3, "零食很忙小店")]),
    ("宋佳", &[(5, "佳佳婴童用品"), (5, "宝贝出行推车馆")]),
    (
        "郭子涵",
        &[
            (4, "水光肌美妆小铺"),
            (4, "颜究所护肤店"),
            (4, "花漾彩妆铺"),
        ],
    ),
    ("谢明", &[(8, "明记小家电"), (2, "明记厨具")]),
    ("唐雪", &[(0, "雪儿韩版女装"), (0, "雪域羊绒衫")]),
    ("韩磊", &[(1, "磊子电脑外设")]),
    ("曹敏", &[(6, "敏敏绘本馆"), (6, "书香童年图书")]),
    ("邓建军", &[(3, "赣南果农直销"), (3, "五常稻香米业")]),
    ("彭丹", &[(4, "丹丹美妆集合店"), (5, "丹妈母婴严选")]),
    ("曾强", &[(7, "曾氏体育用品"), (0, "运动袜业工厂店")]),
    ("萧雨", &[(2, "雨居生活百货"), (8, "雨居电器")]),
    ("田甜", &[(3, "甜甜螺蛳粉"), (3, "柳州风味小吃")]),
    (
        "董浩",
        &[(1, "浩然耳机专营"), (1, "浩然数码"), (8, "浩然生活电器")],
    ),
    ("潘慧", &[(6, "慧读书店"), (0, "慧心棉麻")]),
    ("蒋涛", &[(8, "蒋氏电器商城"), (2, "蒋家锅具")]),
];

const STAFF: [(&str, Role, &str); 6] = [
    ("agent01", Role::CsAgent, "客服小蜜 晓晓"),
    ("agent02", Role::CsAgent, "客服 阿诚"),
    ("guard01", Role::Protection, "消保专员 李敏"),
    ("guard02", Role::Protection, "消保专员 王磊"),
    ("regulator01", Role::Regulator, "平台监管 陈主管"),
    ("admin", Role::Admin, "系统管理员"),
];

#[rustfmt::skip]
const CITIES: [&str; 16] = [
    "杭州", "上海", "北京", "广州", "深圳", "成都", "武汉", "南京", "西安", "苏州", "长沙", "重庆", "厦门", "青岛", "郑州", "合肥",
];
#[rustfmt::skip]
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
];
#[rustfmt::skip]
const NICKNAMES: [&str; 16] = [
    "爱吃橘子的猫", "阿杰", "糖糖", "夏天的风", "大鹏", "小鱼儿", "一只胖橘", "木子",
    "晴天", "老K", "豆豆妈", "阿飞", "乐乐爸", "奶茶续命", "柠檬不酸", "小太阳",
];

#[rustfmt::skip]
const WAVE_TEXTS: [(ClaimKind, &str); 6] = [
    (ClaimKind::Refund, "买的304不锈钢保温杯装热水后拧紧倒置，杯盖和杯身连接处一直往外渗水，包里的书全湿了。"),
    (ClaimKind::Return, "保温杯用了不到两周，盖子的硅胶密封圈就变形了，平放在桌上也漏水，早上装的热水中午就凉了。"),
    (ClaimKind::Exchange, "收到的保温杯第一次用就漏水，杯盖螺纹处有毛刺拧不严，看评价别人也遇到了，怀疑这批货有问题。"),
    (ClaimKind::Refund, "孩子带去学校的保温杯在书包里漏了，水从开关缝隙流出来，拆开看里面的密封垫是歪的。"),
    (ClaimKind::Return, "保温杯灌满开水后底部一圈有水珠渗出，擦干几分钟又出现，应该是杯底焊接不严，不敢再用。"),
    (ClaimKind::Refund, "买来送父亲的保温杯，三四天后杯口一圈渗水，盖子怎么拧都关不紧，和详情页写的“滴水不漏”不符。"),
];

/// What an ordinary complaint's order must satisfy.
#[derive(Clone, Copy)]
enum Need {
    Any,
    LateShop,
    Late,
    Guarantee,
    SevenDay,
}

/// `{p}` is the product, `{c}` the promised hours, `{h}` the actual hours to shipping; the shop
/// categories (empty: any) keep the story plausible for the product.
#[rustfmt::skip]
const ORDINARY: [(Category, ClaimKind, Need, &[usize], &str); 15] = [
    (Category::QualityDefect, ClaimKind::Exchange, Need::Any, &[2, 5, 7, 8],
        "收到的“{p}”正常使用不到一周就出现开裂破损，没有摔碰，已拍照留存，希望换一件新的。"),
    (Category::QualityDefect, ClaimKind::Refund, Need::Any, &[0, 2, 5],
        "“{p}”拆封时就有明显瑕疵，做工和详情页展示差距很大，无法正常使用，申请退款。"),
    (Category::NotAsDescribed, ClaimKind::Return, Need::Any, &[0, 1, 7],
        "“{p}”实物与详情页描述不一致：页面标的规格和收到的商品标签对不上，颜色也不同。"),
    (Category::NotAsDescribed, ClaimKind::Refund, Need::Any, &[0, 2, 7],
        "下单的是“{p}”，收到后发现材质和页面宣传的不同，联系客服两次都只回复“以实物为准”。"),
    (Category::LateShipment, ClaimKind::Compensation, Need::LateShop, &[],
        "“{p}”付款后店铺承诺{c}小时内发货，实际过了{h}小时才发出，期间催了客服三次都没有结果。"),
    (Category::LateShipment, ClaimKind::Compensation, Need::Late, &[],
        "购买“{p}”时店铺写明{c}小时内发货，付款后{h}小时才有物流信息，耽误了使用。"),
    (Category::ReturnRefused, ClaimKind::Return, Need::SevenDay, &[1, 8],
        "“{p}”签收后第三天申请七天无理由退货，商品未拆封、配件齐全，商家以“影响二次销售”为由拒绝。"),
    (Category::ReturnRefused, ClaimKind::Return, Need::SevenDay, &[0, 7],
        "“{p}”收到后尺码不合适，店铺标明支持七天无理由退货，但提交申请后商家直接拒绝，没有说明理由。"),
    (Category::ShippingFee, ClaimKind::Compensation, Need::Any, &[1, 2, 8],
        "“{p}”因质量问题退货，商家却要求我承担来回运费12元，质量问题的运费应由商家承担。"),
    (Category::ShippingFee, ClaimKind::Other, Need::Any, &[],
        "“{p}”商品页写明包邮，签收时快递员要求到付运费，联系商家后对方不承认包邮。"),
    (Category::RefundNotReceived, ClaimKind::Refund, Need::Any, &[],
        "“{p}”已和商家协商退货退款，物流显示商家已签收退货，但过了一周多退款仍未到账。"),
    (Category::RefundNotReceived, ClaimKind::Refund, Need::Any, &[],
        "商家在聊天中同意“{p}”仅退款并确认会处理，至今没有收到退款，订单页也没有退款记录。"),
    (Category::Counterfeit, ClaimKind::Compensation, Need::Guarantee, &[1, 4],
        "店铺承诺正品保障，但收到的“{p}”包装印刷模糊，防伪码查询显示无此编号，怀疑不是正品。"),
    (Category::FalseAdvertising, ClaimKind::Refund, Need::Any, &[4],
        "“{p}”详情页宣称“行业第一”“七天见效”，实际使用两周没有任何变化，宣传内容缺乏依据。"),
    (Category::FalseAdvertising, ClaimKind::Return, Need::Any, &[1, 8],
        "“{p}”详情页标注的参数与实际不符，标称的功率和续航明显虚标，属于虚假宣传。"),
];

fn uname(s: &str) -> Username {
    Username::parse(s).expect("demo usernames are valid")
}

fn item(title: &str, price: i64, qty: u32) -> OrderItem {
    OrderItem {
        title: title.to_owned(),
        price_cents: Cents::new(price).unwrap(),
        qty,
        return_exempt: None,
    }
}

fn amount(items: &[OrderItem]) -> i64 {
    items
        .iter()
        .map(|i| i.price_cents.get() * i64::from(i.qty))
        .sum()
}

/// Index of the weighted choice for a draw in `0..sum(weights)`.
fn pick<T: Copy + PartialOrd + Default + std::ops::AddAssign>(weights: &[T], x: T) -> usize {
    let mut acc = T::default();
    for (i, &w) in weights.iter().enumerate() {
        acc += w;
        if x < acc {
            return i;
        }
    }
    weights.len() - 1
}

fn buyer_name(i: usize) -> String {
    let (s, c, n) = (
        SURNAMES[i * 7 % 20],
        CITIES[i * 5 % 16],
        NICKNAMES[i * 3 % 16],
    );
    match i % 4 {
        0 => format!("{c}{s}女士"),
        1 => format!("小{s}"),
        2 => n.to_owned(),
        _ => format!("{c}{s}先生"),
    }
}

fn users() -> Vec<DemoUser> {
    let mut v = Vec::new();
    let mut add = |name: String, role, display_name| {
        v.push(DemoUser {
            username: uname(&name),
            role,
            display_name,
        })
    };
    for i in 1..=BUYERS {
        add(format!("buyer{i:02}"), Role::Consumer, buyer_name(i));
    }
    for i in 1..=20 {
        add(
            format!("shua{i:02}"),
            Role::Consumer,
            format!("淘友{:04}", 1000 + i * 7919 % 9000),
        );
    }
    for (i, (owner, _)) in SELLERS.iter().enumerate() {
        add(
            format!("seller{:02}", i + 1),
            Role::Merchant,
            (*owner).to_owned(),
        );
    }
    for (name, role, display) in STAFF {
        add(name.to_owned(), role, display.to_owned());
    }
    v
}

/// The shops and their category indices; independent of the seed so the planted ids stay put.
fn shops() -> (Vec<ShopRecord>, Vec<usize>) {
    let (mut shops, mut cats) = (Vec::new(), Vec::new());
    for (s, (_, list)) in SELLERS.iter().enumerate() {
        for &(cat, name) in list.iter() {
            let i = shops.len();
            let id = format!("shop-{:03}", i + 1);
            let mut c = Commitments {
                // Fresh food is exempt from 7-day returns.
                seven_day_return: cat != 3 && i % 9 != 5,
                authentic_guarantee: i % 2 == 0,
                ship_within_hours: [Some(48), Some(24), None, Some(72), Some(48)][i % 5],
            };
            if id == LATE_SHOP {
                c.ship_within_hours = Some(24);
            }
            if id == WAVE_SHOP {
                c.seven_day_return = true;
                c.authentic_guarantee = true;
            }
            shops.push(ShopRecord {
                id: ShopId::parse(&id).unwrap(),
                name: name.to_owned(),
                merchant: uname(&format!("seller{:02}", s + 1)),
                commitments: c,
            });
            cats.push(cat);
        }
    }
    (shops, cats)
}

/// A shop's listings: one price per product, shared by its variants, ending in 9 like real ones.
fn offers(rng: &mut StdRng, cat: usize) -> Vec<(String, i64)> {
    let mut v = Vec::new();
    for &(title, variants, lo, hi) in CATALOGUE[cat] {
        let y = rng.random_range(lo..=hi) / 100;
        let y = y - y % 10 + 9;
        let price = y * 100
            + if y < 50 && rng.random_bool(0.5) {
                90
            } else {
                0
            };
        for var in variants {
            v.push((format!("{title} {var}"), price));
        }
    }
    v
}

fn basket(rng: &mut StdRng, offers: &[(String, i64)]) -> Vec<OrderItem> {
    let n = match rng.random_range(0..100) {
        0..88 => 1,
        88..98 => 2,
        _ => 3,
    };
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < n {
        let k = rng.random_range(0..offers.len());
        if !picked.contains(&k) {
            picked.push(k);
        }
    }
    picked
        .into_iter()
        .map(|k| {
            let (title, price) = &offers[k];
            let qty = match rng.random_range(0..100) {
                _ if *price > 50_000 => 1,
                0..82 => 1,
                82..95 => 2,
                _ => 3,
            };
            item(title, *price, qty)
        })
        .collect()
}

/// A payment `days_ago` China days before `now`, at a weighted China hour, never after `now`.
fn paid_at(rng: &mut StdRng, now: Timestamp, days_ago: u64) -> Timestamp {
    let today = (now + TimeDelta::hours(CN)).date_naive();
    let total: u32 = HOUR_WEIGHTS.iter().sum();
    let hour = 8 + pick(&HOUR_WEIGHTS, rng.random_range(0..total)) as u32;
    let local = (today - Days::new(days_ago))
        .and_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60))
        .unwrap();
    let t = Utc.from_utc_datetime(&(local - TimeDelta::hours(CN)));
    if t >= now { t - TimeDelta::days(1) } else { t }
}

/// Time from payment to shipping: almost always within the promise (at most 60 h), rarely a day
/// late; the late shipper has missed its promise on every order of the last month.
fn ship_delay(rng: &mut StdRng, shop: &ShopRecord, last_month: bool) -> TimeDelta {
    let minutes = if shop.id.as_str() == LATE_SHOP && last_month {
        rng.random_range(72 * 60..=200 * 60)
    } else {
        let h = i64::from(shop.commitments.ship_within_hours.unwrap_or(60).min(60));
        if rng.random_bool(0.99) {
            rng.random_range(120..=h * 60)
        } else {
            rng.random_range(h * 60..=(h + 30) * 60)
        }
    };
    TimeDelta::minutes(minutes)
}

/// 18 digits: the paid date (China, equal to UTC for 08–24 h payments) and 10 unique digits.
fn order_no(rng: &mut StdRng, used: &mut HashSet<String>, paid: Timestamp) -> OrderNo {
    let day = (paid + TimeDelta::hours(CN)).format("%Y%m%d");
    loop {
        let s = format!(
            "{day}{}",
            rng.random_range(1_000_000_000u64..10_000_000_000)
        );
        if used.insert(s.clone()) {
            return OrderNo::parse(&s).unwrap();
        }
    }
}

/// Paid, shipped and delivered.
type Times = (Timestamp, Option<Timestamp>, Option<Timestamp>);

fn record(
    no: OrderNo,
    buyer: &Username,
    shop: &ShopRecord,
    items: Vec<OrderItem>,
    t: Times,
) -> OrderRecord {
    let amount_cents = Cents::new(amount(&items)).unwrap();
    let (buyer, shop_id) = (buyer.clone(), shop.id.clone());
    OrderRecord {
        order_no: no,
        buyer,
        shop_id,
        items,
        amount_cents,
        paid_at: t.0,
        shipped_at: t.1,
        delivered_at: t.2,
    }
}

/// `now` anchors all timestamps (orders in the 120 days before it); same seed+now => same output.
pub fn generate(seed: u64, now: Timestamp) -> Marketplace {
    let mut rng = StdRng::seed_from_u64(seed);
    let users = users();
    let (shops, cats) = shops();
    let offers: Vec<_> = cats.iter().map(|&c| offers(&mut rng, c)).collect();
    let index = |id: &str| shops.iter().position(|s| s.id.as_str() == id).unwrap();
    let buyers: Vec<Username> = (1..=BUYERS)
        .map(|i| uname(&format!("buyer{i:02}")))
        .collect();
    let buyer01 = &buyers[0];
    let mut used = HashSet::new();

    // Zipf-like popularity over a shuffled ranking; the planted shops get enough orders.
    let mut rank: Vec<usize> = (0..shops.len()).collect();
    rank.shuffle(&mut rng);
    for (shop, pos) in [(index(WAVE_SHOP), 3), (index(LATE_SHOP), 7)] {
        let q = rank.iter().position(|&s| s == shop).unwrap();
        rank.swap(q, pos);
    }
    let mut shop_w = vec![0.0; shops.len()];
    for (r, &s) in rank.iter().enumerate() {
        shop_w[s] = 1.0 / (r as f64 + 1.0).powf(0.9);
    }
    let shop_total: f64 = shop_w.iter().sum();
    let buyer_w: Vec<u32> = (0..BUYERS).map(|_| rng.random_range(1..=8)).collect();
    let buyer_total: u32 = buyer_w.iter().sum();

    let mut orders = Vec::with_capacity(NORMAL_ORDERS + 200);
    let mut order_shop = Vec::with_capacity(NORMAL_ORDERS);
    for i in 0..NORMAL_ORDERS {
        // buyer01's first orders are all delivered; the seller01 one recently, for the walkthrough.
        let forced = BUYER01_SHOPS.get(i).copied();
        let (b, s, days_ago) = if let Some(s) = forced {
            (
                0,
                s,
                if i == 0 {
                    rng.random_range(10..16)
                } else {
                    rng.random_range(16..110)
                },
            )
        } else {
            let b = pick(&buyer_w, rng.random_range(0..buyer_total));
            (
                b,
                pick(&shop_w, rng.random_range(0.0..shop_total)),
                rng.random_range(0..DAYS),
            )
        };
        let paid = paid_at(&mut rng, now, days_ago);
        let items = basket(&mut rng, &offers[s]);
        let last_month = paid > now - TimeDelta::days(30);
        let mut shipped =
            Some(paid + ship_delay(&mut rng, &shops[s], last_month)).filter(|t| *t <= now);
        if forced.is_none() && rng.random_bool(0.005) {
            shipped = None; // never shipped
        }
        let transit = TimeDelta::minutes(rng.random_range(24 * 60..=5 * 24 * 60));
        let mut delivered = shipped.map(|t| t + transit).filter(|t| *t <= now);
        if forced.is_none() && rng.random_bool(0.02) {
            delivered = None; // lost in transit
        }
        let no = order_no(&mut rng, &mut used, paid);
        orders.push(record(
            no,
            &buyers[b],
            &shops[s],
            items,
            (paid, shipped, delivered),
        ));
        order_shop.push(s);
    }

    let mut complaints = Vec::new();
    let mut complained: HashSet<Username> = HashSet::from([buyer01.clone()]);

    // The wave: the latest deliveries from the wave shop before the window become the bad batch.
    let window = now - TimeDelta::days(12);
    let wave = index(WAVE_SHOP);
    let (_, wave_price) = offers[wave]
        .iter()
        .find(|(t, _)| t == WAVE_TITLE)
        .unwrap()
        .clone();
    let mut cands: Vec<usize> = (0..NORMAL_ORDERS)
        .filter(|&i| order_shop[i] == wave && orders[i].buyer != *buyer01)
        .filter(|&i| orders[i].delivered_at.is_some_and(|d| d < window))
        .filter(|&i| orders[i].paid_at > window - TimeDelta::days(45))
        .collect();
    cands.sort_by_key(|&i| std::cmp::Reverse(orders[i].delivered_at));
    let mut texts = WAVE_TEXTS.iter();
    for i in cands {
        if complained.contains(&orders[i].buyer) {
            continue;
        }
        let Some(&(kind, text)) = texts.next() else {
            break;
        };
        complained.insert(orders[i].buyer.clone());
        let o = &mut orders[i];
        o.items = vec![item(WAVE_TITLE, wave_price, 1)];
        o.amount_cents = Cents::new(wave_price).unwrap();
        complaints.push(DemoComplaint {
            consumer: o.buyer.clone(),
            order_no: o.order_no.clone(),
            product: WAVE_TITLE.to_owned(),
            category: Category::QualityDefect,
            incident_at: window + TimeDelta::minutes(rng.random_range(0..9 * 24 * 60)),
            description: text.to_owned(),
            claim_kind: kind,
            amount_cents: (kind == ClaimKind::Refund).then_some(wave_price),
        });
    }

    // Ordinary complaints: recent deliveries, one per buyer and per shop, none at the planted shops.
    let mut shops_used: HashSet<usize> = HashSet::from([wave]);
    shops_used.extend(RING_SHOPS.iter().map(|id| index(id)));
    let late_shop = index(LATE_SHOP);
    shops_used.insert(late_shop); // kept for its own late-shipment complaint
    for (cat, kind, need, shop_cats, tpl) in ORDINARY {
        let recent = |d: Timestamp| d > now - TimeDelta::days(40) && d < now - TimeDelta::days(1);
        let cands: Vec<usize> = (0..NORMAL_ORDERS)
            .filter(|&i| {
                let (o, s, c) = (&orders[i], order_shop[i], &shops[order_shop[i]].commitments);
                let took = o.shipped_at.map(|t| (t - o.paid_at).num_hours());
                let fits = match need {
                    Need::Any => true,
                    Need::LateShop => true,
                    Need::Late => c
                        .ship_within_hours
                        .zip(took)
                        .is_some_and(|(p, t)| t > i64::from(p)),
                    Need::Guarantee => c.authentic_guarantee,
                    Need::SevenDay => c.seven_day_return,
                };
                let free = if matches!(need, Need::LateShop) {
                    s == late_shop
                } else {
                    !shops_used.contains(&s)
                };
                fits && free
                    && !complained.contains(&o.buyer)
                    && (shop_cats.is_empty() || shop_cats.contains(&cats[s]))
                    && o.delivered_at.is_some_and(recent)
            })
            .collect();
        if cands.is_empty() {
            continue;
        }
        let i = cands[rng.random_range(0..cands.len())];
        let (o, s) = (&orders[i], order_shop[i]);
        complained.insert(o.buyer.clone());
        shops_used.insert(s);
        let it = &o.items[0];
        let item_total = it.price_cents.get() * i64::from(it.qty);
        let promise = i64::from(shops[s].commitments.ship_within_hours.unwrap_or(0));
        let took = o.shipped_at.map_or(0, |t| (t - o.paid_at).num_hours());
        let delivered = o.delivered_at.unwrap();
        let incident_at = if cat == Category::LateShipment {
            // When the promise broke: between the deadline and the actual shipping.
            o.paid_at
                + TimeDelta::hours(promise)
                + (o.shipped_at.unwrap() - o.paid_at - TimeDelta::hours(promise)) / 2
        } else {
            let room = ((now - delivered).num_minutes() - 60).min(7 * 24 * 60);
            delivered + TimeDelta::minutes(rng.random_range(60..room))
        };
        let amount_cents = match (kind, cat) {
            (ClaimKind::Refund, _) => Some(item_total),
            (ClaimKind::Compensation, Category::Counterfeit) => Some(item_total * 3),
            (ClaimKind::Compensation, Category::ShippingFee) => Some(1200),
            (ClaimKind::Compensation, _) => Some((o.amount_cents.get() / 10).clamp(300, 5000)),
            _ => None,
        };
        complaints.push(DemoComplaint {
            consumer: o.buyer.clone(),
            order_no: o.order_no.clone(),
            product: it.title.clone(),
            category: cat,
            incident_at,
            description: tpl
                .replace("{p}", &it.title)
                .replace("{c}", &promise.to_string())
                .replace("{h}", &took.to_string()),
            claim_kind: kind,
            amount_cents,
        });
    }

    // The ring: every account hits every ring shop 2–4 times within 4 days, shipped within hours.
    let ring: Vec<usize> = RING_SHOPS.iter().map(|id| index(id)).collect();
    let start = rng.random_range(26..30);
    for a in 1..=20 {
        let account = uname(&format!("shua{a:02}"));
        for &s in &ring {
            for _ in 0..rng.random_range(2..=4) {
                let day = start - rng.random_range(0..4);
                let paid = paid_at(&mut rng, now, day);
                let (title, lo, hi) = RING_ITEMS[rng.random_range(0..RING_ITEMS.len())];
                let items = vec![item(title, rng.random_range(lo / 10..=hi / 10) * 10, 1)];
                let shipped = paid + TimeDelta::minutes(rng.random_range(30..240));
                let delivered = shipped + TimeDelta::minutes(rng.random_range(20 * 60..30 * 60));
                let no = order_no(&mut rng, &mut used, paid);
                let times = (paid, Some(shipped), Some(delivered));
                orders.push(record(no, &account, &shops[s], items, times));
            }
        }
    }

    let reports = vec![
        DemoReport {
            reporter: uname("buyer150"),
            shop_id: shops[ring[0]].id.clone(),
            kind: ReportKind::FakeTransactions,
            description: "这家店的商品几乎全是五星好评，评价都来自几天内注册的新账号，内容和买家秀图片大量重复，疑似刷单。".into(),
            listing: None,
        },
        DemoReport {
            reporter: uname("buyer02"),
            shop_id: shops[0].id.clone(),
            kind: ReportKind::IpInfringement,
            description: "该商品使用了我方注册商标和包装设计，未经授权销售，商标注册证和授权名单可提供。".into(),
            listing: Some(offers[0][0].0.clone()),
        },
    ];

    orders.sort_by_key(|o| o.paid_at);
    Marketplace {
        users,
        shops,
        orders,
        complaints,
        reports,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2025, 6, 1, 4, 30, 0).unwrap()
    }

    fn is_ring(u: &Username) -> bool {
        u.as_str().starts_with("shua")
    }

    fn span(t: impl Iterator<Item = Timestamp> + Clone) -> TimeDelta {
        t.clone().max().unwrap() - t.min().unwrap()
    }

    #[test]
    fn counts_and_validity() {
        let m = generate(7, now());
        let count = |p: &str, r: Role| {
            m.users
                .iter()
                .filter(|u| u.username.as_str().starts_with(p) && u.role == r)
                .count()
        };
        assert_eq!(count("buyer", Role::Consumer), 200);
        assert_eq!(count("shua", Role::Consumer), 20);
        assert!(count("seller", Role::Merchant) >= 30);
        assert!(m.users.iter().any(|u| u.username.as_str() == "buyer100"));
        assert!(m.shops.len() >= 45);
        assert_eq!(
            m.orders.iter().filter(|o| !is_ring(&o.buyer)).count(),
            NORMAL_ORDERS
        );
        assert!(m.orders.iter().filter(|o| is_ring(&o.buyer)).count() >= 120);

        let users: HashSet<_> = m.users.iter().map(|u| &u.username).collect();
        assert_eq!(users.len(), m.users.len());
        let shops: HashMap<_, _> = m.shops.iter().map(|s| (&s.id, s)).collect();
        assert_eq!(shops.len(), m.shops.len());
        for s in &m.shops {
            s.validate().unwrap();
            assert!(users.contains(&s.merchant));
        }
        let nos: HashSet<_> = m.orders.iter().map(|o| &o.order_no).collect();
        assert_eq!(nos.len(), m.orders.len());
        for o in &m.orders {
            o.validate().unwrap();
            assert!(users.contains(&o.buyer) && shops.contains_key(&o.shop_id));
            assert_eq!(o.amount_cents.get(), amount(&o.items));
            assert!(
                o.order_no
                    .as_str()
                    .starts_with(&o.paid_at.format("%Y%m%d").to_string())
            );
            assert!(o.paid_at < now() && o.paid_at > now() - TimeDelta::days(121));
            assert!(o.shipped_at.is_none_or(|t| t <= now()));
            assert!(o.delivered_at.is_none_or(|t| t <= now()));
        }
    }

    #[test]
    fn planted_patterns() {
        let m = generate(7, now());
        let shop = |id: &str| m.shops.iter().find(|s| s.id.as_str() == id).unwrap();
        assert_eq!(shop(LATE_SHOP).merchant.as_str(), "seller09");
        assert_eq!(shop(WAVE_SHOP).merchant.as_str(), "seller05");
        for id in RING_SHOPS {
            assert_eq!(shop(id).merchant.as_str(), "seller20");
        }
        let late: Vec<_> = m
            .orders
            .iter()
            .filter(|o| o.shop_id.as_str() == LATE_SHOP && o.paid_at > now() - TimeDelta::days(30))
            .collect();
        assert!(late.len() > 10);
        assert!(
            late.iter()
                .filter_map(|o| o.shipped_at.map(|t| t - o.paid_at))
                .all(|d| d > TimeDelta::hours(70))
        );
        let ring: Vec<_> = m.orders.iter().filter(|o| is_ring(&o.buyer)).collect();
        assert!(
            ring.iter()
                .all(|o| RING_SHOPS.contains(&o.shop_id.as_str()) && o.amount_cents.get() < 1000)
        );
        assert!(span(ring.iter().map(|o| o.paid_at)) < TimeDelta::days(5));
    }

    #[test]
    fn complaints_are_consistent() {
        let m = generate(7, now());
        let orders: HashMap<_, _> = m.orders.iter().map(|o| (&o.order_no, o)).collect();
        assert!(m.complaints.len() >= 20);
        let buyers: HashSet<_> = m.complaints.iter().map(|c| &c.consumer).collect();
        assert_eq!(buyers.len(), m.complaints.len());
        for c in &m.complaints {
            let o = orders[&c.order_no];
            assert_eq!(o.buyer, c.consumer);
            assert_ne!(c.consumer.as_str(), "buyer01");
            assert!(!c.category.is_report());
            assert!(c.incident_at > o.paid_at && c.incident_at < now());
            assert!(c.description.chars().count() >= 10 && !c.description.contains('{'));
            assert!(o.items.iter().any(|i| i.title == c.product));
            match c.claim_kind {
                ClaimKind::Refund => {
                    assert!(c.amount_cents.is_some_and(|a| a <= o.amount_cents.get()))
                }
                ClaimKind::Compensation => assert!(c.amount_cents.is_some()),
                _ => {}
            }
        }
        let wave: Vec<_> = m
            .complaints
            .iter()
            .filter(|c| orders[&c.order_no].shop_id.as_str() == WAVE_SHOP)
            .collect();
        assert_eq!(wave.len(), 6);
        assert!(span(wave.iter().map(|c| c.incident_at)) <= TimeDelta::days(10));
        let cats: HashSet<_> = m.complaints.iter().map(|c| c.category).collect();
        assert_eq!(cats.len(), 8);
    }

    #[test]
    fn reports_name_real_accounts_shops_and_listings() {
        let m = generate(7, now());
        let users: HashSet<_> = m.users.iter().map(|u| &u.username).collect();
        assert_eq!(m.reports.len(), 2);
        for r in &m.reports {
            assert!(users.contains(&r.reporter));
            assert!(m.shops.iter().any(|s| s.id == r.shop_id));
            assert!(r.description.chars().count() >= 10);
        }
        let ip = m
            .reports
            .iter()
            .find(|r| r.kind == ReportKind::IpInfringement)
            .unwrap();
        let shop = m.shops.iter().find(|s| s.id == ip.shop_id).unwrap();
        assert_eq!(shop.merchant.as_str(), "seller01");
        let listing = ip.listing.as_deref().unwrap();
        assert!(
            m.orders
                .iter()
                .filter(|o| o.shop_id == ip.shop_id)
                .any(|o| o.items.iter().any(|i| i.title == listing)),
            "the listing is one the shop sells"
        );
        let brushing = m
            .reports
            .iter()
            .find(|r| r.kind == ReportKind::FakeTransactions)
            .unwrap();
        assert!(RING_SHOPS.contains(&brushing.shop_id.as_str()));
    }

    #[test]
    fn deterministic() {
        let nos = |m: Marketplace| m.orders.into_iter().map(|o| o.order_no).collect::<Vec<_>>();
        assert_eq!(nos(generate(42, now())), nos(generate(42, now())));
        assert_eq!(
            generate(42, now()).complaints,
            generate(42, now()).complaints
        );
        assert_ne!(nos(generate(42, now())), nos(generate(43, now())));
        assert!(DEMO_PASSWORD.len() >= 8);
    }

    /// The marketplace for one seed, byte for byte: recorded before the catalogue became data.
    #[test]
    fn same_marketplace_as_recorded() {
        use sha2::{Digest, Sha256};
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 4, 30, 0).unwrap();
        let json = serde_json::to_vec(&generate(20_260_501, now)).unwrap();
        let digest = format!("{:x}", Sha256::digest(&json));
        assert_eq!(
            digest,
            "b68cc7d557f8c6576f124533a40aa900bdc9acc87628b5f88a5e1204b0092647"
        );
    }

    #[test]
    fn buyer01_walkthrough() {
        for seed in [1, 2, 3] {
            let m = generate(seed, now());
            let mine: Vec<_> = m
                .orders
                .iter()
                .filter(|o| o.buyer.as_str() == "buyer01")
                .collect();
            assert!(mine.len() >= 10);
            assert!(mine.iter().filter(|o| o.delivered_at.is_some()).count() >= 5);
            assert!(
                mine.iter()
                    .map(|o| &o.shop_id)
                    .collect::<HashSet<_>>()
                    .len()
                    >= 5
            );
            let seller01: HashSet<_> = m
                .shops
                .iter()
                .filter(|s| s.merchant.as_str() == "seller01")
                .map(|s| &s.id)
                .collect();
            assert!(
                mine.iter()
                    .any(|o| seller01.contains(&o.shop_id) && o.delivered_at.is_some())
            );
            assert!(
                m.complaints
                    .iter()
                    .all(|c| c.consumer.as_str() != "buyer01")
            );
        }
    }
}
