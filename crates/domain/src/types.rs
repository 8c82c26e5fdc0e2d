//! The values of DESIGN §2 as newtypes that parse: once built, they hold a valid value.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
#[cfg(test)]
use crate::lang::Lang;

/// Wall-clock instant, always UTC.
pub type Timestamp = DateTime<Utc>;

/// Defines a string-backed enum with its wire names, labels in both languages and a parser that names the
/// allowed values when it fails.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($variant:ident = $wire:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $wire)] $variant,)+ }

        // Written out rather than derived: the derive does not see a macro's `rename` literal
        // and would document the Rust names instead of the wire names.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let labels: Vec<String> = [$(format!("`{}`: {}", $wire, $en),)+].into();
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire,)+]))
                    .description(Some(labels.join("; ")))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }
            /// The value's name for people, the one every page, message and chat reply uses.
            pub fn label(self, lang: $crate::lang::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en),)+ }
            }
            /// The label of a stored wire name; "other" for one this version does not know.
            pub fn label_of(s: &str, lang: $crate::lang::Lang) -> &'static str {
                Self::parse(s).map_or(lang.pick("其他", "other"), |v| v.label(lang))
            }
            pub fn parse(s: &str) -> Result<Self, $crate::error::DomainError> {
                match s.trim() {
                    $($wire => Ok($name::$variant),)+
                    other => {
                        let allowed = [$($wire,)+].join(", ");
                        Err($crate::error::DomainError::invalid(
                            $field,
                            format!("不支持的取值“{other}”，可选：{allowed}"),
                            format!("unsupported value {other:?}; expected one of: {allowed}"),
                        ))
                    }
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use labelled_enum;

labelled_enum!(
    /// What a complaint (or a report) is about; also the assistant's complaint intents.
    Category, "category" {
        QualityDefect = "quality_defect", "质量问题", "quality defect";
        NotAsDescribed = "not_as_described", "与描述不符", "not as described";
        Counterfeit = "counterfeit", "假货", "counterfeit";
        FalseAdvertising = "false_advertising", "虚假宣传", "false advertising";
        RefuseToShip = "refuse_to_ship", "拒绝发货", "refused to ship";
        LateShipment = "late_shipment", "拖延发货", "late shipment";
        Harassment = "harassment", "恶意骚扰", "harassment";
        ReturnRefused = "return_refused", "拒绝退换货", "return refused";
        ShippingFee = "shipping_fee", "运费争议", "shipping fee dispute";
        RefundNotReceived = "refund_not_received", "退款未到账", "refund not received";
        FakeTransactions = "fake_transactions", "虚假交易/刷单", "fake transactions / brushing";
        IpInfringement = "ip_infringement", "知识产权侵权", "IP infringement";
    }
);

impl Category {
    /// Violations of the platform's rules go to tier 3 as reports, never as personal complaints.
    pub fn is_report(self) -> bool {
        matches!(self, Category::FakeTransactions | Category::IpInfringement)
    }

    /// Whether a complaint of this category is about one order item: the goods themselves (a
    /// defect, a listing's description or claims), so that the same words about two listings are
    /// two issues. The shop's conduct (shipping, fees, returns, refunds, harassment) and
    /// counterfeits (the shop's 正品 promise) are about the shop, whatever item they name.
    pub fn is_about_one_item(self) -> bool {
        matches!(
            self,
            Category::QualityDefect | Category::NotAsDescribed | Category::FalseAdvertising
        )
    }
}

labelled_enum!(
    /// What the consumer asks for, and what a remedy gives.
    ClaimKind, "claim.kind" {
        Refund = "refund", "退款", "refund";
        Return = "return", "退货退款", "return and refund";
        Exchange = "exchange", "换货", "exchange";
        Compensation = "compensation", "赔偿", "compensation";
        Other = "other", "其他", "other";
    }
);

labelled_enum!(
    /// How a complaint arrived.
    Channel, "channel" {
        Web = "web", "网页", "web";
        Chat = "chat", "客服小蜜", "chat assistant";
        Phone = "phone", "电话", "phone";
        Api = "api", "接口", "API";
    }
);

labelled_enum!(
    /// Who a user is on the platform (DESIGN §1).
    Role, "role" {
        Consumer = "consumer", "买家", "consumer";
        Merchant = "merchant", "卖家", "merchant";
        CsAgent = "cs_agent", "客服", "customer service (tier 1)";
        Protection = "protection", "消费者保障", "consumer protection (tier 2)";
        Regulator = "regulator", "平台监管", "platform regulation (tier 3)";
        Admin = "admin", "管理员", "admin";
        Service = "service", "服务账号", "service account";
    }
);

labelled_enum!(
    /// What a service account's API keys may write (the marketplace's machines, not people).
    Scope, "scopes" {
        OrdersWrite = "orders:write", "推送订单", "push orders";
        RemediesWrite = "remedies:write", "确认赔付结果", "confirm remedies paid";
    }
);

impl Role {
    /// Platform staff see complaints they are not a party to.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::CsAgent | Role::Protection | Role::Regulator | Role::Admin
        )
    }

    /// What a person in this role is called before their name (「消费者保障专员 王敏」).
    pub fn title(self, lang: crate::lang::Lang) -> &'static str {
        let (zh, en) = match self {
            Role::Consumer => ("买家", "Consumer"),
            Role::Merchant => ("卖家", "Merchant"),
            Role::CsAgent => ("客服专员", "Customer service agent"),
            Role::Protection => ("消费者保障专员", "Consumer protection specialist"),
            Role::Regulator => ("平台监管专员", "Platform regulator"),
            Role::Admin => ("平台管理员", "Platform administrator"),
            Role::Service => ("服务账号", "Service account"),
        };
        lang.pick(zh, en)
    }
}

labelled_enum!(
    /// What a piece of evidence is.
    EvidenceKind, "kind" {
        Photo = "photo", "照片", "photo";
        Video = "video", "视频", "video";
        ChatLog = "chat_log", "聊天记录", "chat log";
        TransactionRecord = "transaction_record", "交易记录", "transaction record";
        Other = "other", "其他", "other";
    }
);

labelled_enum!(
    /// One side of a dispute.
    Party, "from" {
        Consumer = "consumer", "买家", "the consumer";
        Merchant = "merchant", "卖家", "the merchant";
    }
);

labelled_enum!(
    /// A tier-2 ruling's outcome.
    Decision, "decision" {
        Uphold = "uphold", "支持买家", "uphold the consumer";
        Partial = "partial", "部分支持", "partly uphold";
        Reject = "reject", "驳回", "reject";
    }
);

labelled_enum!(
    /// What a report (举报) to tier 3 is about.
    ReportKind, "kind" {
        FakeTransactions = "fake_transactions", "虚假交易/刷单", "fake transactions (brushing)";
        CreditHyping = "credit_hyping", "炒信", "credit hyping";
        IpInfringement = "ip_infringement", "知识产权侵权", "IP infringement";
    }
);

labelled_enum!(
    /// A tier-3 case's kind (DESIGN §2).
    CaseKind, "kind" {
        Violation = "violation", "违规", "violation";
        Collective = "collective", "集体投诉", "collective complaint";
        Ip = "ip", "知识产权", "IP infringement";
    }
);

labelled_enum!(
    /// A tier-3 case's state: open → investigating → sanctioned | dismissed.
    CaseState, "state" {
        Open = "open", "待处理", "open";
        Investigating = "investigating", "调查中", "investigating";
        Sanctioned = "sanctioned", "已处罚", "sanctioned";
        Dismissed = "dismissed", "不予处罚", "dismissed";
    }
);

labelled_enum!(
    /// Goods exempt from 7-day no-reason returns (消费者权益保护法 Art. 25).
    ReturnExempt, "return_exempt" {
        CustomMade = "custom_made", "定制商品", "custom-made goods";
        Fresh = "fresh", "鲜活易腐商品", "fresh and perishable goods";
        Digital = "digital", "在线下载或已拆封的数字化商品", "digital goods downloaded or unsealed";
        OpenedMedia = "opened_media", "已拆封的音像制品、计算机软件", "unsealed audio, video or software";
        Newspaper = "newspaper", "报纸、期刊", "newspapers and periodicals";
    }
);

/// Defines an integer id: serialised as the plain number, displayed as it.
macro_rules! id_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_newtype!(
    /// A user's id.
    UserId
);
id_newtype!(
    /// A complaint's id.
    ComplaintId
);
id_newtype!(
    /// A tier-3 case's id.
    CaseId
);
id_newtype!(
    /// A report's (举报) id.
    ReportId
);
id_newtype!(
    /// The id of a penalty applied to a shop.
    PenaltyId
);
id_newtype!(
    /// A public jury's (大众评审) panel id.
    JuryId
);

/// Defines a validated string newtype.
macro_rules! string_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> {
                $name::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// The marketplace's order number: exactly 18 ASCII digits.
    OrderNo
);

impl OrderNo {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(OrderNo(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "order_no",
                "订单号应为18位数字，可在“我的订单”中复制",
                "an order number is 18 digits; copy it from “My orders”",
            ))
        }
    }
}

string_newtype!(
    /// A shop's id as the marketplace names it: 1–64 of `A–Z a–z 0–9 _ -`.
    ShopId
);

impl ShopId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            Ok(ShopId(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "shop_id",
                "店铺编号只能包含字母、数字、下划线和连字符（1–64个字符）",
                "a shop id is 1–64 letters, digits, '_' or '-'",
            ))
        }
    }
}

string_newtype!(
    /// A login name: 3–32 of `a–z 0–9 _ . -`, starting with a letter.
    Username
);

impl Username {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        let ok = (3..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
            });
        if ok {
            Ok(Username(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "username",
                "用户名为3–32位小写字母、数字或 _ . -，以字母开头",
                "a username is 3–32 lowercase letters, digits or _ . -, starting with a letter",
            ))
        }
    }
}

string_newtype!(
    /// A SHA-256 digest in lowercase hex.
    Sha256
);

impl Sha256 {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Sha256(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "sha256",
                "应为64位小写十六进制的SHA-256摘要",
                "expected a SHA-256 digest as 64 lowercase hex digits",
            ))
        }
    }
    /// The digest of some bytes.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        Sha256(hex::encode(sha2::Sha256::digest(bytes)))
    }
    pub fn from_digest(d: [u8; 32]) -> Self {
        Sha256(hex::encode(d))
    }
}

/// An amount of money in fen (1/100 yuan), never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "i64", into = "i64")]
pub struct Cents(i64);

impl Cents {
    /// Upper bound of any single amount: ¥100,000,000.
    pub const MAX: i64 = 10_000_000_000;

    pub fn new(v: i64) -> Result<Self, DomainError> {
        Self::parse_field("amount_cents", v)
    }
    pub fn parse_field(field: &str, v: i64) -> Result<Self, DomainError> {
        if (0..=Self::MAX).contains(&v) {
            Ok(Cents(v))
        } else {
            Err(DomainError::invalid(
                field,
                "金额应在0到1亿元之间",
                "an amount is between ¥0 and ¥100,000,000",
            ))
        }
    }
    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Cents {
    type Error = DomainError;
    fn try_from(v: i64) -> Result<Self, DomainError> {
        Cents::new(v)
    }
}
impl From<Cents> for i64 {
    fn from(c: Cents) -> i64 {
        c.0
    }
}
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "¥{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// What the consumer asks for (`claim`) or what a proposal or ruling grants (`remedy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    pub kind: ClaimKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<Cents>,
}

/// A remedy has the same shape as a claim.
pub type Remedy = Claim;

impl Claim {
    /// Builds a claim from wire values, naming `field` (e.g. `claim` or `remedy`) in errors.
    pub fn parse(field: &str, kind: &str, amount_cents: Option<i64>) -> Result<Self, DomainError> {
        let kind = ClaimKind::parse(kind).map_err(|_| {
            DomainError::invalid(
                &format!("{field}.kind"),
                "诉求类型应为 refund（退款）、return（退货退款）、exchange（换货）、compensation（赔偿）或 other",
                "kind must be one of refund, return, exchange, compensation, other",
            )
        })?;
        let amount_cents = amount_cents
            .map(|v| Cents::parse_field(&format!("{field}.amount_cents"), v))
            .transpose()?;
        if matches!(kind, ClaimKind::Refund | ClaimKind::Compensation) && amount_cents.is_none() {
            return Err(DomainError::invalid(
                &format!("{field}.amount_cents"),
                "退款或赔偿需要写明金额",
                "a refund or compensation needs an amount",
            ));
        }
        Ok(Claim { kind, amount_cents })
    }
    /// Whether silence of the merchant counts as agreement (DESIGN §3).
    pub fn lapses_in_consumers_favour(&self) -> bool {
        matches!(self.kind, ClaimKind::Refund | ClaimKind::Return)
    }
}

/// Checks a free text: trimmed, within `min..=max` characters (not bytes: Chinese counts once).
pub fn parse_text(field: &str, s: &str, min: usize, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    let n = t.chars().count();
    if n < min {
        return Err(DomainError::invalid(
            field,
            format!("至少需要{min}个字"),
            format!("needs at least {min} characters"),
        ));
    }
    if n > max {
        return Err(DomainError::invalid(
            field,
            format!("最多{max}个字，现在有{n}个"),
            format!("at most {max} characters, got {n}"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(DomainError::invalid(
            field,
            "包含不可见的控制字符",
            "contains control characters",
        ));
    }
    Ok(t.to_owned())
}

/// Parses an RFC 3339 instant.
pub fn parse_time(field: &str, s: &str) -> Result<Timestamp, DomainError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            DomainError::invalid(
                field,
                "时间格式应为 RFC 3339，例如 2026-05-04T10:30:00+08:00",
                "expected an RFC 3339 time such as 2026-05-04T10:30:00+08:00",
            )
        })
}

/// A time as RFC 3339, or a day `YYYY-MM-DD` meaning its start in Asia/Shanghai (UTC+8, no DST).
pub fn parse_day_or_time(field: &str, s: &str) -> Result<Timestamp, DomainError> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let start = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(start.and_utc() - chrono::Duration::hours(8));
    }
    parse_time(field, s).map_err(|_| {
        DomainError::invalid(
            field,
            "应为日期（2026-05-04）或 RFC 3339 时间（2026-05-04T10:30:00+08:00）",
            "expected a day (2026-05-04) or an RFC 3339 time (2026-05-04T10:30:00+08:00)",
        )
    })
}

/// Checks that every value of a type has a name in both languages, no two alike (for the tests
/// of each labelled type).
#[cfg(test)]
pub(crate) fn assert_labels<T: Copy + fmt::Debug>(
    all: &[T],
    label: impl Fn(T, Lang) -> &'static str,
) {
    for lang in [Lang::Zh, Lang::En] {
        let labels: Vec<&str> = all.iter().map(|v| label(*v, lang)).collect();
        assert!(labels.iter().all(|l| !l.trim().is_empty()), "{all:?}");
        let mut unique = labels.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), labels.len(), "{lang:?}: {labels:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_distinct_labels() {
        assert_labels(Category::ALL, Category::label);
        assert_labels(ClaimKind::ALL, ClaimKind::label);
        assert_labels(Channel::ALL, Channel::label);
        assert_labels(Role::ALL, Role::label);
        assert_labels(Role::ALL, Role::title);
        assert_labels(Scope::ALL, Scope::label);
        assert_labels(EvidenceKind::ALL, EvidenceKind::label);
        assert_labels(Party::ALL, Party::label);
        assert_labels(Decision::ALL, Decision::label);
        assert_labels(ReportKind::ALL, ReportKind::label);
        assert_labels(CaseKind::ALL, CaseKind::label);
        assert_labels(CaseState::ALL, CaseState::label);
        assert_labels(ReturnExempt::ALL, ReturnExempt::label);
    }

    #[test]
    fn a_day_starts_at_midnight_in_shanghai() {
        let t = parse_day_or_time("from", "2026-05-04").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-05-03T16:00:00+00:00");
        let t = parse_day_or_time("from", "2026-05-04T10:30:00+08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-05-04T02:30:00+00:00");
        assert!(parse_day_or_time("from", "May 4").is_err());
    }

    #[test]
    fn order_numbers() {
        assert!(OrderNo::parse("202505041234567890").is_ok());
        assert!(OrderNo::parse(" 202505041234567890 ").is_ok());
        assert!(OrderNo::parse("20250504123456789").is_err());
        assert!(OrderNo::parse("2025050412345678901").is_err());
        assert!(OrderNo::parse("20250504123456789x").is_err());
        assert!(OrderNo::parse("２０２５０５０４１２３４５６７８９０").is_err());
    }

    #[test]
    fn cents_and_claims() {
        assert!(Cents::new(-1).is_err());
        assert!(Cents::new(Cents::MAX + 1).is_err());
        assert_eq!(Cents::new(1234).unwrap().to_string(), "¥12.34");
        assert!(Claim::parse("claim", "refund", None).is_err());
        assert!(Claim::parse("claim", "exchange", None).is_ok());
        let e = Claim::parse("claim", "money", Some(1)).unwrap_err();
        assert_eq!(e.fields()[0].field, "claim.kind");
    }

    #[test]
    fn categories_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), *c);
        }
        assert!(Category::parse("bad").is_err());
    }

    #[test]
    fn text_counts_characters() {
        assert!(parse_text("d", "杯子漏水", 4, 10).is_ok());
        assert!(parse_text("d", "杯子", 4, 10).is_err());
        assert!(parse_text("d", "a\u{0}b", 1, 10).is_err());
    }
}
