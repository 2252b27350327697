//! The analytics operations: insights of a period, from the rollups or the executions.

use crate::analytics::insights::{self as domain, Insights, InsightsRequest};
use crate::error::Result;

use super::{Caller, Context, Reply, Response, Sink};

/// The most answers kept at once.
const CACHED: usize = 64;

/// The page of a period: its insights, and the alerts that fired in it.
pub fn report(ctx: &Context, req: &InsightsRequest) -> Result<Reply> {
    let Response::Insights(answer) = insights(ctx, req)?.response else {
        return Err(crate::error::Error::Internal(
            "insights answered otherwise".into(),
        ));
    };
    let since = chrono::Utc::now() - chrono::Duration::days(req.time_range.days());
    let alerts = ctx.executions()?.alerts_since(since)?;
    let cfg = &ctx.settings.analytics;
    let forecast = if cfg.advanced() {
        let store = ctx.executions()?;
        let replicas = store.replica_changes()?;
        Some(crate::analytics::forecast::forecast(
            store.as_ref(),
            cfg,
            &replicas,
            chrono::Utc::now(),
        )?)
    } else {
        None
    };
    let html = crate::analytics::report::render(
        &answer,
        &alerts,
        forecast.as_ref(),
        req.time_range.as_str(),
    );
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
pub(super) fn known_agents(ctx: &Context) -> Result<std::collections::HashSet<String>> {
    let store = ctx.store()?;
    let mut known: std::collections::HashSet<String> =
        store.list_agents()?.into_iter().map(|a| a.name).collect();
    known.extend(store.registry_entries()?.into_iter().map(|e| e.name));
    known.extend(store.deployments(None)?.into_iter().map(|d| d.agent_name));
    Ok(known)
}

/// Evaluate the alert rules once: each firing alert sent (unless it was sent less than the
/// throttle ago), kept and audited. The reply fails when any fires, so that a cron job
/// exits 1.
pub async fn check_alerts(ctx: &Context, caller: &Caller, sink: &dyn Sink) -> Result<Reply> {
    let evaluation = evaluate_alerts(ctx, caller).await?;
    for f in &evaluation.firing {
        let how = if f.delivered {
            "sent"
        } else if f.throttled {
            "sent recently, not again"
        } else if f.error.is_some() {
            "not delivered"
        } else {
            "no webhook set"
        };
        sink.warn(&format!("alert {}: {} ({how})", f.rule, f.message));
    }
    if evaluation.firing.is_empty() {
        sink.note(&format!("{} rule(s), none firing", evaluation.rules));
    }
    let error = (!evaluation.firing.is_empty()).then(|| {
        crate::error::Error::failed(format!("{} alert(s) firing", evaluation.firing.len()), None)
    });
    Ok(Reply {
        response: Response::Alerts(Box::new(evaluation)),
        error,
    })
}

/// One evaluation, as `alerts check` and the daemon's loop run it.
pub async fn evaluate_alerts(
    ctx: &Context,
    caller: &Caller,
) -> Result<crate::analytics::alerts::Evaluation> {
    use crate::analytics::alerts;
    use crate::audit::event::{Category, EventType, Severity, Status};
    let cfg = &ctx.settings.analytics;
    let store = ctx.executions()?;
    let now = chrono::Utc::now();
    let replicas = store.replica_changes()?;
    let mut firing = alerts::evaluate(store.as_ref(), cfg, &replicas, now)?;
    let throttle = chrono::Duration::minutes(cfg.alerts.throttle_minutes.unwrap_or(60) as i64);
    let http = match &ctx.settings.alert_webhook {
        Some(_) => Some(crate::net::client()?),
        None => None,
    };
    for f in &mut firing {
        let recent = store
            .last_delivered(&f.key)?
            .is_some_and(|t| now - t < throttle);
        if recent {
            f.throttled = true;
        } else if let (Some(url), Some(http)) = (&ctx.settings.alert_webhook, &http) {
            match alerts::post(
                http,
                url.expose(),
                &alerts::payload(f, now),
                3,
                std::time::Duration::from_millis(500),
            )
            .await
            {
                Ok(_) => f.delivered = true,
                Err(e) => f.error = Some(e),
            }
        }
        store.record_alert(&crate::store::executions::AlertRecord {
            key: f.key.clone(),
            rule: f.rule.clone(),
            fired_at: now,
            message: f.message.clone(),
            delivered: f.delivered,
            throttled: f.throttled,
        })?;
        let action = crate::audit::Action {
            event_type: EventType::Execution,
            category: Category::Performance,
            severity: Severity::Warning,
            operation: "analytics.alert".into(),
            resource: f.key.clone(),
            resource_id: None,
            status: if f.error.is_some() {
                Status::Failure
            } else {
                Status::Success
            },
            error: f
                .error
                .clone()
                .map(|e| format!("{}; delivery failed: {e}", f.message))
                .or_else(|| Some(f.message.clone())),
            response_time_ms: 0.0,
            agent_id: f.agent.clone(),
            data: Default::default(),
            method: None,
            status_code: None,
        };
        ctx.recorder()?.record(action, caller)?;
    }
    Ok(alerts::Evaluation {
        evaluated_at: now,
        rules: cfg.alerts.rules.len(),
        firing,
    })
}

/// The daemon's loop: evaluate the rules every `analytics.alerts.interval_seconds` until
/// `stop`. Nothing runs when there are no rules.
pub async fn watch_alerts(ctx: &Context, stop: &tokio_util::sync::CancellationToken) {
    let cfg = &ctx.settings.analytics.alerts;
    if cfg.rules.is_empty() {
        return;
    }
    let every = std::time::Duration::from_secs(cfg.interval_seconds.unwrap_or(60));
    let caller = Caller::local(&ctx.settings.audit.user);
    loop {
        if let Err(e) = evaluate_alerts(ctx, &caller).await {
            log::warn!("evaluating alerts: {e}");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// The Prometheus exposition: the rollups of all time, this process's pipelines (`audit`:
/// events waiting, events written), the
/// deployments' replicas (healthy as the gateway sees them when it runs, else as their
/// last health check found them).
pub fn metrics(ctx: &Context, audit: (u64, u64), uptime_seconds: f64) -> Result<String> {
    use crate::analytics::metrics::{render, Inputs, Replicas};
    let store = ctx.executions()?;
    let today = chrono::Utc::now().timestamp().div_euclid(86_400);
    let rows = store.rollups(
        crate::store::rollups::Grain::Day,
        i64::MIN / 2,
        today + 2,
        None,
    )?;
    let live: Option<Vec<crate::gateway::catalog::ReplicaState>> =
        ctx.gateway_built().map(|g| g.replicas());
    let replicas = ctx
        .store()?
        .deployments(None)?
        .into_iter()
        .map(|d| {
            let healthy = match &live {
                Some(l) if l.iter().any(|r| r.server == d.agent_name) => {
                    l.iter()
                        .filter(|r| r.server == d.agent_name && r.healthy)
                        .count() as u32
                }
                _ => d
                    .replicas
                    .iter()
                    .filter(|r| r.state == crate::store::ReplicaState::Healthy)
                    .count() as u32,
            };
            Replicas {
                agent: d.agent_name.clone(),
                target: d.target.as_str().to_string(),
                wanted: d.replicas_wanted,
                healthy,
            }
        })
        .collect();
    let executions = ctx.execution_writer_built().map(|w| {
        use std::sync::atomic::Ordering::Relaxed;
        (
            w.stats.queued.load(Relaxed),
            w.stats.written.load(Relaxed),
            w.stats.failed.load(Relaxed),
        )
    });
    Ok(render(&Inputs {
        rows,
        audit_depth: audit.0,
        audit_written: audit.1,
        executions,
        replicas,
        uptime_seconds,
    }))
}
