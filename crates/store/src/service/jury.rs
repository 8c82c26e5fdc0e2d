//! The [`Juries`] supertrait of `Store`, implemented once over every backend's driver.

use async_trait::async_trait;
use weiquan_domain::access;
use weiquan_domain::jury::{SendToJury, VoteRequest};
use weiquan_domain::*;

use super::Service;
use crate::db::{Driver, Read};
use crate::error::Result;
use crate::jury::{self, Juries, JurorPanel, JurorRecord, JuryView};
use crate::model::Event;

#[async_trait]
impl<D: Driver> Juries for Service<D> {
    async fn send_to_jury(
        &self,
        actor: &Actor,
        id: ComplaintId,
        send: SendToJury,
        now: Timestamp,
    ) -> Result<JuryView> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| jury::send(tx, &actor, id, send, now, &policy))
    }

    async fn jury(&self, actor: &Actor, id: JuryId, now: Timestamp) -> Result<JuryView> {
        let actor = actor.clone();
        read!(self, Point, |tx| jury::view(tx, &actor, id, now))
    }

    async fn my_juries(&self, actor: &Actor) -> Result<Vec<JurorPanel>> {
        weiquan_domain::jury::check_volunteer(actor)?;
        let actor = actor.clone();
        read!(self, Point, |tx| jury::my_panels(tx, &actor))
    }

    async fn jury_vote(
        &self,
        actor: &Actor,
        id: JuryId,
        vote: VoteRequest,
        now: Timestamp,
    ) -> Result<JuryView> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| jury::vote(tx, &actor, id, vote, now, &policy))
    }

    async fn jury_leave(&self, actor: &Actor, id: JuryId, now: Timestamp) -> Result<JuryView> {
        let (actor, policy) = (actor.clone(), self.policy.clone());
        write!(self, |tx| jury::leave(tx, &actor, id, now, &policy))
    }

    async fn jury_file(
        &self,
        actor: &Actor,
        id: JuryId,
        sha: &Sha256,
    ) -> Result<(crate::model::Evidence, Vec<u8>)> {
        let (actor, sha) = (actor.clone(), sha.clone());
        let found = read!(self, Point, |tx| jury::file(tx, &actor, id, &sha))?;
        self.with_bytes(found).await
    }

    async fn jury_events(&self, actor: &Actor, id: JuryId) -> Result<Vec<Event>> {
        let actor = actor.clone();
        read!(self, Point, |tx| jury::chain(tx, &actor, id))
    }

    async fn juror_agreement(&self, actor: &Actor) -> Result<Vec<JurorRecord>> {
        access::check_jury_staff(actor)?;
        read!(self, Scan, |tx| jury::agreement(tx))
    }
}
