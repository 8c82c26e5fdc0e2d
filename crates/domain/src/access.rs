//! Who may see and do what: role and ownership, decided here and nowhere else.

use serde::Serialize;

use crate::complaint::Complaint;
use crate::error::DomainError;
use crate::lang::Lang;
use crate::types::{Role, Scope, UserId};

mod redact;
pub use redact::{
    Published, REPORTER, Reader, event_view, published, published_appeal, shop_reader,
};

/// The authenticated user behind a request: a person, or a service account (role `service`)
/// signed in with an API key, which carries its account's scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: UserId,
    pub role: Role,
    /// What a service account may write; empty for people.
    pub scopes: Vec<Scope>,
}

impl Actor {
    pub const fn new(id: UserId, role: Role) -> Self {
        Actor {
            id,
            role,
            scopes: Vec::new(),
        }
    }
    /// A service account's actor with its scopes.
    pub fn service(id: UserId, scopes: Vec<Scope>) -> Self {
        Actor {
            id,
            role: Role::Service,
            scopes,
        }
    }
    /// The actor's name in event records: `user:ID`, or `service:ID` for a service account.
    pub fn event_name(&self) -> String {
        match self.role {
            Role::Service => format!("service:{}", self.id),
            _ => format!("user:{}", self.id),
        }
    }
}

/// The actor recorded on events that deadlines cause.
pub const SYSTEM_ACTOR: &str = "system:timer";

pub fn is_consumer_of(actor: &Actor, c: &Complaint) -> bool {
    actor.role == Role::Consumer && actor.id == c.consumer_id
}

pub fn is_merchant_of(actor: &Actor, c: &Complaint) -> bool {
    actor.role == Role::Merchant && actor.id == c.merchant_id
}

/// Which complaints an actor may see. Lists are filtered by this in the store's queries, and
/// single complaints by [`can_view`]; both read it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// A consumer: complaints they filed.
    ConsumerOwn(UserId),
    /// A merchant: complaints about the shops they run.
    MerchantShops(UserId),
    /// Platform staff: every complaint.
    All,
    /// A service account: no complaint (it confirms remedies by complaint id, under its scope).
    Nothing,
}

pub fn visibility(actor: &Actor) -> Visibility {
    match actor.role {
        Role::Consumer => Visibility::ConsumerOwn(actor.id),
        Role::Merchant => Visibility::MerchantShops(actor.id),
        Role::Service => Visibility::Nothing,
        Role::CsAgent | Role::Protection | Role::Regulator | Role::Admin => Visibility::All,
    }
}

/// Whether the actor may see the complaint at all. Those who may not are told it does not exist,
/// so that ids reveal nothing.
pub fn can_view(actor: &Actor, c: &Complaint) -> bool {
    match visibility(actor) {
        Visibility::ConsumerOwn(id) => c.consumer_id == id,
        Visibility::MerchantShops(id) => c.merchant_id == id,
        Visibility::All => true,
        Visibility::Nothing => false,
    }
}

/// The complaint, or "not found" for someone who may not see it.
pub fn check_view(actor: &Actor, c: &Complaint) -> Result<(), DomainError> {
    if can_view(actor, c) {
        Ok(())
    } else {
        Err(not_found_complaint())
    }
}

pub fn not_found_complaint() -> DomainError {
    DomainError::not_found("找不到这条投诉", "no such complaint")
}

/// Whether the actor may add messages and evidence: the two parties and the tiers handling it,
/// while the complaint is not finished.
pub fn check_contribute(actor: &Actor, c: &Complaint) -> Result<(), DomainError> {
    check_view(actor, c)?;
    if !matches!(
        actor.role,
        Role::Consumer | Role::Merchant | Role::CsAgent | Role::Protection
    ) {
        return Err(DomainError::forbidden(
            "只有双方当事人和处理人员可以补充留言或证据",
            "only the two parties and the staff handling it may add messages or evidence",
        ));
    }
    if c.state.is_terminal() {
        return Err(DomainError::conflict(
            "invalid_state",
            "投诉已结束，不能再补充",
            "the complaint is finished; nothing more can be added",
        ));
    }
    Ok(())
}

/// Figures across shops and consumers (statistics, the case list) are for staff only.
pub fn check_staff(actor: &Actor) -> Result<(), DomainError> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "仅平台工作人员可以查看",
            "only platform staff may see this",
        ))
    }
}

/// Only an admin manages accounts (the list, roles).
pub fn check_admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有管理员可以管理账号",
            "only an admin manages accounts",
        ))
    }
}

/// What a marketplace write needs: a service account's key whose account holds `scope`. The
/// one check of every `/marketplace` write (and of the payment system's `fulfil`).
pub fn check_scope(actor: &Actor, scope: Scope) -> Result<(), DomainError> {
    if actor.role == Role::Service && actor.scopes.contains(&scope) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            format!("这个接口密钥没有“{}”（{scope}）权限", scope.label(Lang::Zh)),
            format!(
                "this API key lacks the scope {scope} ({})",
                scope.label(Lang::En)
            ),
        ))
    }
}

/// Only an admin manages service accounts and their API keys.
pub fn check_key_admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有管理员可以管理服务账号和接口密钥",
            "only an admin manages service accounts and API keys",
        ))
    }
}

/// Whether the role may export the authorities' bundle (电子商务法 Art. 62): the platform's
/// regulators and admins, who answer the authorities; pages show the button by the same rule.
pub fn may_export(role: Role) -> bool {
    matches!(role, Role::Regulator | Role::Admin)
}

/// The one check of every export, on the web, the API and the command line's store.
pub fn check_export(actor: &Actor) -> Result<(), DomainError> {
    if may_export(actor.role) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有平台监管人员和管理员可以导出监管证据包",
            "only platform regulators and admins may export a bundle for the authorities",
        ))
    }
}

/// Who may list tier-3 cases: staff all of them (`None`), a merchant their own shops'
/// (`Some(merchant)`), nobody else.
pub fn cases_scope(actor: &Actor) -> Result<Option<UserId>, DomainError> {
    match actor.role {
        r if r.is_staff() => Ok(None),
        Role::Merchant => Ok(Some(actor.id)),
        _ => Err(DomainError::forbidden(
            "仅平台工作人员和涉事商家可以查看案件",
            "only platform staff and the merchant concerned may see cases",
        )),
    }
}

/// Who may read the violations behind a shop's points (`merchant`: the shop's, `None` for no
/// such shop): staff, and the merchant who runs it; for anyone else there is no such shop.
pub fn shop_ledger(actor: &Actor, merchant: Option<UserId>) -> Result<(), DomainError> {
    match merchant {
        Some(_) if actor.role.is_staff() => Ok(()),
        Some(m) if actor.role == Role::Merchant && actor.id == m => Ok(()),
        _ => Err(not_found_shop()),
    }
}

/// Who may read a shop's scorecard: anyone, signed in or not (`None`) — it is the shop's public
/// record (`docs/scorecard.md`), and holds only counts, shares and a median over its complaints
/// and orders: no complaint, order or person.
pub fn scorecard(_actor: Option<&Actor>) -> Result<(), DomainError> {
    Ok(())
}

pub fn not_found_shop() -> DomainError {
    DomainError::not_found("找不到这家店铺", "no such shop")
}

/// The merchant whose shops an actor lists: their own; nobody else has shops.
pub fn own_shops(actor: &Actor) -> Result<UserId, DomainError> {
    match actor.role {
        Role::Merchant => Ok(actor.id),
        _ => Err(DomainError::forbidden(
            "只有商家有自己的店铺",
            "only merchants run shops",
        )),
    }
}

/// Only consumers chat with 客服小蜜.
pub fn check_chat_consumer(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Consumer {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有买家可以和客服小蜜对话",
            "only consumers chat with the assistant",
        ))
    }
}

/// Only tier-1 agents see the queue of chats handed over to a person.
pub fn check_chat_queue(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::CsAgent {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有客服可以查看转人工的对话",
            "only customer-service agents see handed-over chats",
        ))
    }
}

/// Only tier-1 agents take a handed-over chat and answer in it.
pub fn check_chat_agent(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::CsAgent {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有客服可以接手转人工的对话",
            "only customer-service agents take handed-over chats",
        ))
    }
}

/// Whether the actor may see a chat session: the consumer their own, a tier-1 agent one that
/// was handed over (whoever has it).
pub fn can_view_chat(actor: &Actor, owner: UserId, handed_over: bool) -> bool {
    match actor.role {
        Role::Consumer => owner == actor.id,
        Role::CsAgent => handed_over,
        _ => false,
    }
}

/// How someone reads a public jury's panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelReader {
    /// A juror drawn for it: the complaint with identities hidden and their own vote; after
    /// leaving, only that they left.
    Juror { left: bool },
    /// Tier-2 staff and admins: everything, jurors named.
    Staff,
}

/// Whether the role sees who sits on a panel and how each voted: tier 2 and admins. The parties
/// learn that a jury decided, its tally and reasons (on the complaint's chain), never who sat.
pub fn may_see_jurors(role: Role) -> bool {
    matches!(role, Role::Protection | Role::Admin)
}

/// Who may read a panel (`seat`: the actor's seat on it, and whether they left): its jurors and
/// tier-2 staff and admins; anyone else is told there is no such panel.
pub fn panel_reader(actor: &Actor, seat: Option<bool>) -> Result<PanelReader, DomainError> {
    if may_see_jurors(actor.role) {
        return Ok(PanelReader::Staff);
    }
    match seat {
        Some(left) if actor.role == Role::Consumer => Ok(PanelReader::Juror { left }),
        _ => Err(not_found_jury()),
    }
}

pub fn not_found_jury() -> DomainError {
    DomainError::not_found("找不到这个评审团", "no such jury panel")
}

/// Jurors' agreement with final outcomes is for tier-2 staff and admins.
pub fn check_jury_staff(actor: &Actor) -> Result<(), DomainError> {
    if may_see_jurors(actor.role) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有消费者保障专员和管理员可以查看评审员记录",
            "only consumer-protection staff and admins may see jurors' records",
        ))
    }
}

/// Whether a person is named to the others on a complaint: staff act in their own name (「消费者保障专员
/// 王敏」); the two sides are known to each other by their side only.
pub fn named_on_complaints(role: Role) -> bool {
    role.is_staff()
}

/// Whose inbox and settings an actor reads and changes: their own, whatever their role. Another
/// user's notifications are never named, so asking for them changes nothing and says nothing.
pub fn own_inbox(actor: &Actor) -> UserId {
    actor.id
}

/// Whether an order list shows whose order each is: not to a merchant, who would otherwise map
/// the accounts named elsewhere (a report, an event) to their buyers.
pub fn shows_buyer(actor: &Actor) -> bool {
    actor.role != Role::Merchant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_s_violations_are_for_staff_and_its_merchant() {
        let seller = Actor::new(UserId(7), Role::Merchant);
        assert!(shop_ledger(&seller, Some(UserId(7))).is_ok());
        assert!(shop_ledger(&Actor::new(UserId(8), Role::Merchant), Some(UserId(7))).is_err());
        assert!(shop_ledger(&Actor::new(UserId(1), Role::Regulator), Some(UserId(7))).is_ok());
        assert!(shop_ledger(&Actor::new(UserId(2), Role::Consumer), Some(UserId(7))).is_err());
        assert!(shop_ledger(&Actor::new(UserId(1), Role::Regulator), None).is_err());
        assert_eq!(own_shops(&seller).unwrap(), UserId(7));
        assert!(own_shops(&Actor::new(UserId(2), Role::Consumer)).is_err());
    }

    #[test]
    fn a_panel_is_for_its_jurors_and_tier_2() {
        let juror = Actor::new(UserId(5), Role::Consumer);
        assert_eq!(
            panel_reader(&juror, Some(false)).unwrap(),
            PanelReader::Juror { left: false }
        );
        assert!(panel_reader(&juror, None).is_err());
        for role in Role::ALL {
            let a = Actor::new(UserId(1), *role);
            let staff = panel_reader(&a, None).is_ok();
            assert_eq!(
                staff,
                matches!(role, Role::Protection | Role::Admin),
                "{role:?}"
            );
            assert_eq!(check_jury_staff(&a).is_ok(), staff, "{role:?}");
        }
        // A merchant is never a juror, even if a seat were named.
        assert!(panel_reader(&Actor::new(UserId(7), Role::Merchant), Some(false)).is_err());
    }

    #[test]
    fn only_regulators_and_admins_export() {
        for role in Role::ALL {
            let allowed = check_export(&Actor::new(UserId(1), *role)).is_ok();
            assert_eq!(
                allowed,
                matches!(role, Role::Regulator | Role::Admin),
                "{role:?}"
            );
        }
    }
}
