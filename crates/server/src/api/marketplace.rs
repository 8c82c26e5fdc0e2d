//! Orders, shops' public standing, and tier-3 cases.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use weiquan_domain::*;
use weiquan_store::*;

use super::complaints::page_limit;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::lang::ReqLang;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 50 by default.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    pub items: Vec<Order>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "marketplace", params(PageQuery),
    responses((status = 200, body = OrderPage, description = "a consumer's own orders; a merchant's shops' orders")),
    security(("bearer" = [])))]
pub async fn orders(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<axum::Json<OrderPage>> {
    let limit = page_limit(q.limit)?;
    let before = q
        .cursor
        .as_deref()
        .map(|c| {
            OrderNo::parse(c)
                .map_err(|_| DomainError::invalid("cursor", "分页游标无效", "invalid cursor"))
        })
        .transpose()?;
    let page = state
        .store
        .orders(&user.actor(), before.as_ref(), limit)
        .await?;
    Ok(axum::Json(OrderPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// A shop's public standing: what the marketplace's search applies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShopStanding {
    pub id: ShopId,
    pub name: String,
    pub commitments: records::Commitments,
    pub points: i64,
    pub search_weight: f64,
    pub status: String,
    pub active_penalties: Vec<PenaltyRecord>,
    /// Listings taken down on IP notices (电子商务法 Art. 42) and not restored.
    pub listings_down: Vec<String>,
}

pub fn shop_id(id: &str) -> ApiResult<ShopId> {
    ShopId::parse(id).map_err(|_| ApiError::not_found())
}

#[utoipa::path(get, path = "/api/v1/shops/{id}", tag = "marketplace", params(("id" = String, Path)),
    responses((status = 200, body = ShopStanding), (status = 404)))]
pub async fn shop(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<ShopStanding>> {
    let id = shop_id(&id)?;
    let s = state
        .store
        .shop(&id, state.clock.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let listings_down = state.store.listings_down(&id).await?;
    Ok(axum::Json(ShopStanding {
        id: s.id,
        name: s.name,
        commitments: s.commitments,
        points: s.points,
        search_weight: s.search_weight,
        status: s.status,
        active_penalties: published_penalties(s.active_penalties),
        listings_down,
    }))
}

/// Penalties as anyone may read them: an appeal's state and times, not its reasons or who
/// decided it (`access::published_appeal`).
fn published_penalties(mut penalties: Vec<PenaltyRecord>) -> Vec<PenaltyRecord> {
    for p in &mut penalties {
        if let Some(a) = &p.appeal {
            p.appeal = Some(weiquan_domain::access::published_appeal(a));
        }
    }
    penalties
}

#[utoipa::path(get, path = "/api/v1/shops/{id}/penalties", tag = "marketplace", params(("id" = String, Path)),
    responses((status = 200, body = [PenaltyRecord], description = "every penalty, published"), (status = 404)))]
pub async fn penalties(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<Vec<PenaltyRecord>>> {
    let id = shop_id(&id)?;
    state
        .store
        .shop(&id, state.clock.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(published_penalties(
        state.store.penalties(&id).await?,
    )))
}

/// A shop's public scorecard: its record over the last 30 and 90 days, each measure with its
/// value (or why there is none), sample, label and one-sentence explanation in the caller's
/// language. Public like the shop's standing: counts and shares only, nothing about a complaint,
/// an order or a person.
#[utoipa::path(get, path = "/api/v1/shops/{id}/scorecard", tag = "marketplace", params(("id" = String, Path)),
    responses((status = 200, body = weiquan_domain::scorecard::ScorecardView, description = "the shop's scorecard at the server's now, in the caller's language (`?lang=`, the `lang` cookie or Accept-Language)"),
        (status = 404)))]
pub async fn scorecard(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<axum::Json<weiquan_domain::scorecard::ScorecardView>> {
    let id = shop_id(&id)?;
    let card = state.store.scorecard(None, &id, state.clock.now()).await?;
    Ok(axum::Json(card.view(lang)))
}
