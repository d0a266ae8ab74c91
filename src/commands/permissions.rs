//! `hacheck permissions`: the IAM policy a scan needs — exactly the read actions the
//! collectors call ([`crate::collect::READ_ACTIONS`], held to the calls by a test against
//! moto) — plus, with `--organization`, what entering other accounts takes, and, with
//! `--plan FILE`, what that plan's actions call ([`crate::plan::action::Action::permissions`]).
//! `--format cloudformation` wraps it in a template of the read-only audit role, trusting
//! one principal, to deploy in every account (a StackSet).

use serde_json::{Value, json};

use crate::cli::{PermissionsArgs, PermissionsFormat};

pub fn run(args: &PermissionsArgs) -> anyhow::Result<u8> {
    let mut statements = vec![statement("HacheckScan", crate::collect::READ_ACTIONS)];
    if args.organization {
        statements.push(statement(
            "HacheckOrganization",
            crate::collect::ORGANIZATION_ACTIONS,
        ));
    }
    if let Some(path) = &args.plan {
        let plan = crate::plan::Plan::read(path)?;
        let mut actions: Vec<&str> = plan
            .executable()
            .flat_map(|step| step.action.permissions().iter().copied())
            .collect();
        actions.sort_unstable();
        actions.dedup();
        if !actions.is_empty() {
            statements.push(statement("HacheckFix", &actions));
        }
    }
    let policy = json!({ "Version": "2012-10-17", "Statement": statements });
    let document = match args.format {
        PermissionsFormat::Iam => policy,
        PermissionsFormat::Cloudformation => audit_role_template(policy, args),
    };
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(super::EXIT_CLEAN)
}

fn statement(sid: &str, actions: &[&str]) -> Value {
    json!({ "Sid": sid, "Effect": "Allow", "Action": actions, "Resource": "*" })
}

/// A CloudFormation template creating the role `--role-name` with `policy`, assumable by the
/// `TrustedPrincipal` parameter (and only with `--external-id`, when given).
fn audit_role_template(policy: Value, args: &PermissionsArgs) -> Value {
    let mut trust = json!({
        "Effect": "Allow",
        "Principal": { "AWS": { "Ref": "TrustedPrincipal" } },
        "Action": "sts:AssumeRole",
    });
    if let Some(id) = &args.external_id {
        trust["Condition"] = json!({ "StringEquals": { "sts:ExternalId": id } });
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "The read-only role hacheck assumes to audit this account (hacheck permissions --format cloudformation).",
        "Parameters": {
            "TrustedPrincipal": {
                "Type": "String",
                "Description": "ARN of the principal (role or account root) that runs hacheck.",
            }
        },
        "Resources": {
            "HacheckAuditRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": args.role_name,
                    "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [trust] },
                    "Policies": [{ "PolicyName": "hacheck-read", "PolicyDocument": policy }],
                },
            }
        },
        "Outputs": {
            "RoleArn": { "Value": { "Fn::GetAtt": ["HacheckAuditRole", "Arn"] } }
        },
    })
}
