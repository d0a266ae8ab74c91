use super::*;
use crate::apps::{Scope, ScopeSettings, discover};

/// Every outcome of losing each zone in `zones` (every zone in use when empty).
fn lose(inventory: Inventory, zones: &[&str]) -> Vec<Outcome> {
    let index = Index::new(inventory);
    let model = discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
    let topology = Topology::new(&index);
    let zones: Vec<String> = if zones.is_empty() {
        topology.zones_in_use(&model)
    } else {
        zones.iter().map(|z| (*z).to_owned()).collect()
    };
    topology.assess(&model, &zones)
}

fn reasons(outcome: &Outcome, area: Area) -> Vec<(Impact, &str)> {
    outcome
        .reasons
        .iter()
        .filter(|r| r.area == area)
        .map(|r| (r.impact, r.resource.as_str()))
        .collect()
}

#[test]
fn the_reference_architecture_survives_either_zone_at_the_cost_of_a_failover_and_ssh() {
    let outcomes = lose(crate::snapshot::example_inventory("compliant"), &[]);
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    for outcome in &outcomes {
        assert_eq!(outcome.verdict, Verdict::Survives, "{outcome:?}");
        assert!(!outcome.is_failure());
        assert_eq!(
            reasons(outcome, Area::Capacity),
            [(Impact::Ok, "shop-asg")],
            "the group replaces what it loses"
        );
    }
    // The primary database and the one bastion are in us-east-1a.
    let a = &outcomes[0];
    assert_eq!(a.lost_zone, "us-east-1a");
    assert_eq!(reasons(a, Area::Database), [(Impact::Note, "shop-db")]);
    assert!(reasons(a, Area::Operations).contains(&(Impact::Note, "i-0bastion")));
    let b = &outcomes[1];
    assert!(reasons(b, Area::Database).is_empty(), "{b:?}");
    assert!(!reasons(b, Area::Operations).contains(&(Impact::Note, "i-0bastion")));
}

#[test]
fn a_single_az_database_takes_the_application_down_with_its_zone_only() {
    let mut inventory = crate::snapshot::example_inventory("compliant");
    inventory.db_instances[0].multi_az = false;
    let outcomes = lose(inventory, &["us-east-1a", "us-east-1b"]);
    assert_eq!(outcomes[0].verdict, Verdict::Down);
    assert_eq!(
        reasons(&outcomes[0], Area::Database),
        [(Impact::Down, "shop-db")]
    );
    assert_eq!(outcomes[1].verdict, Verdict::Survives);
}

#[test]
fn a_lone_server_is_down_with_its_zone_and_untouched_by_another() {
    let outcomes = lose(
        crate::snapshot::example_inventory("single-server"),
        &["us-east-1a", "us-east-1c"],
    );
    let down = &outcomes[0];
    assert_eq!(down.verdict, Verdict::Down);
    for (area, resource) in [
        (Area::Capacity, "i-1swiftcode"),
        (Area::Database, "swiftcode-db"),
        (Area::Dns, "swiftcode.example.com. A"),
    ] {
        assert_eq!(reasons(down, area), [(Impact::Down, resource)], "{area:?}");
    }
    let other = &outcomes[1];
    assert_eq!(other.verdict, Verdict::Survives, "{other:?}");
    assert!(other.reasons.iter().all(|r| r.impact != Impact::Down));
}
