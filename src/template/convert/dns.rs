//! Route 53 zones, records and record groups, and CloudFront distributions (the fronts names alias).

use super::*;

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, _joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    match kind {
        "AWS::Route53::HostedZone" => {
            let name = r.text("Name", "name")?.unwrap_or_default();
            let zone = HostedZone {
                id: r.id(kind)?,
                name: dotted(&name),
                private: !r.items("VPCs", "private")?.is_empty(),
            };
            push_source(inv, r, &zone);
            inv.hosted_zones.push(zone);
        }
        "AWS::Route53::RecordSet" => {
            let properties = r.properties().cloned();
            if let Some(properties) = properties {
                let value = r.eval(&properties)?;
                record_set(inv, r, &value)?;
            }
        }
        "AWS::CloudFront::Distribution" => {
            let id = r.id(kind)?;
            let origins = r
                .items("DistributionConfig.Origins", "origins")?
                .iter()
                .map(|item| r.eval(item))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let mut origin_names = Vec::new();
            for origin in &origins {
                match origin.get("DomainName") {
                    Some(Value::Text(name)) => origin_names.push(name.clone()),
                    Some(value) => r.unknown(
                        "origins",
                        value
                            .unknown()
                            .unwrap_or("an origin's domain name")
                            .to_owned(),
                    ),
                    None => {}
                }
            }
            let distribution = Distribution {
                arn: format!("arn:aws:cloudfront::{}:distribution/{id}", inv.account_id),
                domain_name: distribution_domain(&id),
                aliases: r.list("DistributionConfig.Aliases", "aliases")?,
                origins: origin_names,
                // Required by CloudFront; one waiting for an input is not counted as serving
                // (a name it would carry to the load balancer is not credited).
                enabled: r.flag("DistributionConfig.Enabled", "enabled")? == Some(true),
                id,
            };
            push_source(inv, r, &distribution);
            inv.distributions.push(distribution);
        }
        "AWS::Route53::RecordSetGroup" => {
            let group = r.properties().cloned();
            if let Some(group) = group {
                let value = r.eval(&group)?;
                let zone = value.clone();
                for record in value
                    .get("RecordSets")
                    .map(Value::items)
                    .unwrap_or_default()
                {
                    let mut record = record.clone();
                    if let Value::Map(entries) = &mut record {
                        for key in ["HostedZoneId", "HostedZoneName"] {
                            if let Some(v) = zone.get(key)
                                && record_get(entries, key).is_none()
                            {
                                entries.push((key.to_owned(), v.clone()));
                            }
                        }
                    }
                    let source = r.source.clone();
                    record_set(inv, r, &record)?;
                    r.source = source;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn record_get<'v>(entries: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn dotted(name: &str) -> String {
    if name.ends_with('.') || name.is_empty() {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

fn record_set(inv: &mut Inventory, r: &mut Recorder, value: &Value) -> Step {
    let text = |k: &str| value.get(k).and_then(Value::text).map(str::to_owned);
    let zone_id = match text("HostedZoneId") {
        Some(id) => id,
        None => {
            let name = dotted(&text("HostedZoneName").unwrap_or_default());
            inv.hosted_zones
                .iter()
                .find(|z| z.name == name)
                .map(|z| z.id.clone())
                .unwrap_or_else(|| format!("zone:{name}"))
        }
    };
    if let Some(reason) = value.unknown() {
        r.unknown("values", reason.to_owned());
        r.unknown("alias_target", reason.to_owned());
    }
    let alias_target = value.get("AliasTarget").map(|a| AliasTarget {
        dns_name: a
            .get("DNSName")
            .and_then(Value::text)
            .unwrap_or_default()
            .to_owned(),
        hosted_zone_id: a
            .get("HostedZoneId")
            .and_then(Value::text)
            .unwrap_or_default()
            .to_owned(),
        evaluate_target_health: a
            .get("EvaluateTargetHealth")
            .and_then(Value::text)
            .is_some_and(|t| t.eq_ignore_ascii_case("true")),
    });
    let record = RecordSet {
        zone_id,
        name: dotted(&text("Name").unwrap_or_default()),
        record_type: text("Type").unwrap_or_default(),
        ttl: text("TTL").and_then(|t| t.parse().ok()),
        values: value
            .get("ResourceRecords")
            .map(|v| texts(v).unwrap_or_default())
            .unwrap_or_default(),
        alias_target,
        set_identifier: text("SetIdentifier"),
    };
    push_source(inv, r, &record);
    inv.record_sets.push(record);
    Ok(())
}
