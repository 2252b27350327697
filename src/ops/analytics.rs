//! The analytics operations: insights of a period, from the rollups or the executions.

use crate::analytics::insights::{self as domain, Insights, InsightsRequest};
use crate::error::Result;

use super::{Context, Reply, Response};

/// The most answers kept at once.
const CACHED: usize = 64;

/// The page of a period: its insights, and the alerts that fired in it.
pub fn report(ctx: &Context, req: &InsightsRequest) -> Result<Reply> {
    let Response::Insights(answer) = insights(ctx, req)?.response else {
        return Err(crate::error::Error::Internal(
            "insights answered otherwise".into(),
        ));
    };
    let alerts = Vec::new();
    let html = crate::analytics::report::render(&answer, &alerts, req.time_range.as_str());
    Ok(Response::Report { html }.into())
}

pub fn insights(ctx: &Context, req: &InsightsRequest) -> Result<Reply> {
    let started = std::time::Instant::now();
    let cfg = &ctx.settings.analytics;
    let ttl = std::time::Duration::from_secs(cfg.cache_ttl_minutes.unwrap_or(0) * 60);
    let key = serde_json::to_string(req).unwrap_or_default();
    if !ttl.is_zero() {
        let cache = ctx.insights_cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, at, answer)) = cache
            .iter()
            .find(|(k, at, _)| *k == key && at.elapsed() < ttl)
        {
            let mut answer = answer.clone();
            answer.metadata.data_freshness = format!(
                "cached {} s ago (ANALYTICS_CACHE_TTL_MINUTES={}); {}",
                at.elapsed().as_secs(),
                ttl.as_secs() / 60,
                answer.metadata.data_freshness
            );
            answer.metadata.query_duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(Response::Insights(Box::new(answer)).into());
        }
    }
    let executions = ctx.executions()?;
    let known = known_agents(ctx)?;
    let replicas = executions.replica_changes()?;
    let answer: Insights = domain::insights(
        executions.as_ref(),
        req,
        cfg,
        &|a| known.contains(a),
        &replicas,
        chrono::Utc::now(),
        started,
    )?;
    if !ttl.is_zero() {
        let mut cache = ctx.insights_cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.retain(|(k, at, _)| *k != key && at.elapsed() < ttl);
        if cache.len() >= CACHED {
            cache.remove(0);
        }
        cache.push((key, std::time::Instant::now(), answer.clone()));
    }
    Ok(Response::Insights(Box::new(answer)).into())
}

/// The agents and servers this installation made, registered or deployed.
fn known_agents(ctx: &Context) -> Result<std::collections::HashSet<String>> {
    let store = ctx.store()?;
    let mut known: std::collections::HashSet<String> =
        store.list_agents()?.into_iter().map(|a| a.name).collect();
    known.extend(store.registry_entries()?.into_iter().map(|e| e.name));
    known.extend(store.deployments(None)?.into_iter().map(|d| d.agent_name));
    Ok(known)
}
