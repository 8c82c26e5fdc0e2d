//! The [`Outbox`] part of the store: webhook endpoints for admins, e-mails to send, and the
//! dispatcher's claim and results. Implemented once, over the [`Driver`], like [`crate::Store`].

use async_trait::async_trait;
use weiquan_domain::*;

use crate::db::{Driver, Read};
use crate::error::Result;
use crate::outbox::{self, Claimed, Delivery, OutboxMessage};
use crate::service::{Service, write};
use crate::webhooks::{self, DeliveryAttempt, EndpointInput, WebhookEndpoint};

/// Messages to the world outside. Admin methods check the actor first; the dispatcher's take
/// no actor (they run on every node, for no one's request).
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    async fn webhook_endpoints(&self, actor: &Actor) -> Result<Vec<WebhookEndpoint>>;
    async fn webhook_endpoint(&self, actor: &Actor, id: i64) -> Result<WebhookEndpoint>;
    /// Registers an endpoint; its secret comes sealed with the server's key.
    async fn create_webhook_endpoint(
        &self,
        actor: &Actor,
        input: EndpointInput,
        sealed_secret: Vec<u8>,
        now: Timestamp,
    ) -> Result<WebhookEndpoint>;
    async fn update_webhook_endpoint(
        &self,
        actor: &Actor,
        id: i64,
        input: EndpointInput,
        now: Timestamp,
    ) -> Result<WebhookEndpoint>;
    /// A new (sealed) secret; the old one signs too until `grace_until`.
    async fn rotate_webhook_secret(
        &self,
        actor: &Actor,
        id: i64,
        sealed_secret: Vec<u8>,
        grace_until: Timestamp,
        now: Timestamp,
    ) -> Result<WebhookEndpoint>;
    /// The endpoint's most recent delivery attempts, newest first.
    async fn webhook_attempts(
        &self,
        actor: &Actor,
        id: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryAttempt>>;
    /// Messages given up on, newest first (one endpoint's, or all).
    async fn dead_letters(
        &self,
        actor: &Actor,
        endpoint: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>>;
    async fn outbox_message(&self, actor: &Actor, id: i64) -> Result<OutboxMessage>;
    /// A dead message sent again from now, with the same message id.
    async fn replay_message(&self, actor: &Actor, id: i64, now: Timestamp)
    -> Result<OutboxMessage>;
    /// Notified after each commit on this node that queued a message: the dispatcher sends it
    /// at once instead of at its next round.
    fn queued_wake(&self) -> std::sync::Arc<tokio::sync::Notify>;
    /// Claims due messages until `lease_until` (e-mails only when this node can send them).
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        email: bool,
        limit: u32,
    ) -> Result<Vec<Claimed>>;
    /// A batch's results, in one write.
    async fn record_deliveries(&self, results: Vec<Delivery>, now: Timestamp) -> Result<()>;
}

macro_rules! read {
    ($self:ident, |$tx:ident| $body:expr) => {
        $self
            .driver()
            .read(Read::Point, move |$tx| Box::pin(async move { $body.await }))
            .await
    };
}

#[async_trait]
impl<D: Driver> Outbox for Service<D> {
    fn queued_wake(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.queued.clone()
    }

    async fn webhook_endpoints(&self, actor: &Actor) -> Result<Vec<WebhookEndpoint>> {
        let actor = actor.clone();
        read!(self, |tx| webhooks::endpoints(tx, &actor))
    }

    async fn webhook_endpoint(&self, actor: &Actor, id: i64) -> Result<WebhookEndpoint> {
        let actor = actor.clone();
        read!(self, |tx| webhooks::endpoint_by_id(tx, &actor, id))
    }

    async fn create_webhook_endpoint(
        &self,
        actor: &Actor,
        input: EndpointInput,
        sealed_secret: Vec<u8>,
        now: Timestamp,
    ) -> Result<WebhookEndpoint> {
        let actor = actor.clone();
        write!(self, Durable, |tx| webhooks::create_endpoint(
            tx,
            &actor,
            input,
            sealed_secret,
            now
        ))
    }

    async fn update_webhook_endpoint(
        &self,
        actor: &Actor,
        id: i64,
        input: EndpointInput,
        now: Timestamp,
    ) -> Result<WebhookEndpoint> {
        let actor = actor.clone();
        write!(self, Durable, |tx| webhooks::update_endpoint(
            tx, &actor, id, input, now
        ))
    }

    async fn rotate_webhook_secret(
        &self,
        actor: &Actor,
        id: i64,
        sealed_secret: Vec<u8>,
        grace_until: Timestamp,
        now: Timestamp,
    ) -> Result<WebhookEndpoint> {
        let actor = actor.clone();
        write!(self, Durable, |tx| webhooks::rotate_secret(
            tx,
            &actor,
            id,
            sealed_secret,
            grace_until,
            now
        ))
    }

    async fn webhook_attempts(
        &self,
        actor: &Actor,
        id: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryAttempt>> {
        let actor = actor.clone();
        read!(self, |tx| webhooks::attempts(tx, &actor, id, limit))
    }

    async fn dead_letters(
        &self,
        actor: &Actor,
        endpoint: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>> {
        let actor = actor.clone();
        read!(self, |tx| webhooks::dead_letters(
            tx, &actor, endpoint, limit
        ))
    }

    async fn outbox_message(&self, actor: &Actor, id: i64) -> Result<OutboxMessage> {
        let actor = actor.clone();
        read!(self, |tx| webhooks::outbox_message(tx, &actor, id))
    }

    async fn replay_message(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
    ) -> Result<OutboxMessage> {
        let actor = actor.clone();
        write!(self, Durable, |tx| webhooks::replay(tx, &actor, id, now))
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        email: bool,
        limit: u32,
    ) -> Result<Vec<Claimed>> {
        // A claim lost in a crash costs only its lease: relaxed.
        write!(self, Relaxed, |tx| outbox::claim(
            tx,
            now,
            lease_until,
            email,
            limit
        ))
    }

    async fn record_deliveries(&self, results: Vec<Delivery>, now: Timestamp) -> Result<()> {
        // A result lost in a crash means the message is delivered again: at least once.
        write!(self, Relaxed, |tx| outbox::record(tx, &results, now))
    }
}
