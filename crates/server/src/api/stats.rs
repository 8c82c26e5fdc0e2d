//! `GET /stats`: complaints by category, shop, tier and day; resolution times; deadlines missed;
//! the escalation rate from tier 1 to tier 2.

use axum::extract::State;
use serde::Deserialize;
use weiquan_domain::*;
use weiquan_store::*;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Start (a day in Asia/Shanghai, or an RFC 3339 time); default 30 days before `to`.
    pub from: Option<String>,
    /// End, exclusive; default now.
    pub to: Option<String>,
    /// Only this shop (e.g. `shop-001`).
    pub shop_id: Option<String>,
}

/// The period a stats request covers, its defaults applied; refuses an inverted one.
pub fn stats_query(p: &StatsParams, now: Timestamp) -> Result<StatsQuery, DomainError> {
    let mut errors = error::FieldErrors::new();
    let to = match &p.to {
        Some(s) => errors.take(parse_day_or_time("to", s)),
        None => Some(now),
    };
    let from = match &p.from {
        Some(s) => errors.take(parse_day_or_time("from", s)),
        None => to.map(|t| t - chrono::Duration::days(30)),
    };
    let shop_id = match &p.shop_id {
        Some(s) => errors.take(ShopId::parse(s)),
        None => None,
    };
    errors.finish()?;
    let (from, to) = (from.expect("checked"), to.expect("checked"));
    if from >= to {
        return Err(DomainError::invalid(
            "from",
            "开始时间须早于结束时间",
            "from must be before to",
        ));
    }
    Ok(StatsQuery { from, to, shop_id })
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "cases", params(StatsParams),
    responses((status = 200, body = Stats), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<axum::Json<Stats>> {
    let q = stats_query(&p, state.clock.now())?;
    Ok(axum::Json(state.store.stats(&user.actor(), q).await?))
}
