//! Integration tests: one binary (so the SDK is linked once), one module per area.

mod support;

mod applied_terraform_live;
mod apps_cli;
mod autoscaling_mocked;
mod aws_errors_cli;
mod classic_live;
mod collect_faults;
mod corpus;
mod field_audit;
mod fix_cli;
mod fix_live;
mod generated;
mod gone_references_live;
mod inventory_cli;
mod inventory_live;
mod layout;
mod organizations_live;
mod permissions_cli;
mod policies_cli;
mod reach_live;
mod regions_live;
mod scan_cli;
mod scan_live;
mod scope_live;
mod spec_live;
mod target_types_live;
mod template_cli;
mod template_live;
mod template_shapes_cli;
mod terraform_cli;
mod whatif_cli;
