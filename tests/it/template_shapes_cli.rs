//! Templates as the real world writes them: transforms and macros, parameters where the
//! rules need values, Classic Load Balancers' source groups, Aurora, ECS hosts, traffic
//! sources, capacity units, mixed-instances overrides, CloudFront fronts.

use crate::support::{hacheck, stdout};
use crate::template_cli::{
    fix_template, lint, lint_and_judge, root, scan_json, template, verdicts,
};

/// Templates CloudFormation accepts are read: a bare `!GetAZs`, the `Rules` section's short
/// forms, YAML's non-specific tag `!`, a `CommaDelimitedList` whose items are each allowed.
/// A template with a `Transform` is judged but every verdict on it is `unknown`, the
/// transform named on stderr; `Fn::ForEach` without its transform is refused, naming it.
#[test]
fn templates_cloudformation_accepts_are_read_and_transforms_are_never_silent() {
    let (code, report) = scan_json(&[
        "--scope",
        "account",
        "--template",
        &template("tests/fixtures/templates/short-forms.yaml"),
    ]);
    assert_eq!(code, 1, "{report}");
    // Three zones from the bare `!GetAZs` (the template's region).
    assert!(
        verdicts(&report, "pass").contains(&"HA003".to_owned()),
        "{report}"
    );
    // Only what the template cannot say: the groups of launch configuration `Lc`, which
    // it names but does not declare.
    assert_eq!(verdicts(&report, "unknown"), ["HA009"]);

    // Judged with `--scope account`: HA010's failures, the template's stderr.
    let judge = |path: &str| -> (Vec<String>, Vec<String>, String) {
        let output = hacheck()
            .current_dir(root())
            .args([
                "scan",
                "--format",
                "json",
                "--scope",
                "account",
                "--template",
                path,
            ])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let on = |status: &str| -> Vec<String> {
            report["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["status"] == status)
                .map(|r| {
                    format!(
                        "{} {}",
                        r["rule_id"].as_str().unwrap(),
                        r["resource"]["id"].as_str().unwrap()
                    )
                })
                .collect()
        };
        (
            on("fail"),
            on("unknown"),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // SAM: its resources make nothing the rules judge; the rest is judged.
    let (failing, unknown, stderr) = judge(&template(
        "tests/fixtures/templates/serverless-transform.yaml",
    ));
    assert_eq!(failing, ["HA010 sg-Web"]);
    assert_eq!(unknown, Vec::<String>::new());
    assert!(
        stderr.contains("resources `Handler` are `AWS::Serverless::*`"),
        "{stderr}"
    );
    // Language extensions: loops (nested, over a list parameter) expanded, as CloudFormation
    // names what they make.
    let (failing, unknown, stderr) = judge(&template(
        "tests/fixtures/templates/language-extensions.yaml",
    ));
    assert_eq!(
        failing,
        [
            "HA010 sg-AapiGroup",
            "HA010 sg-AwebGroup",
            "HA010 sg-BapiGroup",
            "HA010 sg-BwebGroup",
            "HA010 sg-Web"
        ]
    );
    assert_eq!(unknown, Vec::<String>::new());
    assert!(stderr.is_empty(), "{stderr}");
    // A macro, or a loop over a list without value: named, and every verdict waits.
    let dir = tempfile::tempdir().unwrap();
    let serverless =
        std::fs::read_to_string(root().join("tests/fixtures/templates/serverless-transform.yaml"))
            .unwrap();
    let extensions =
        std::fs::read_to_string(root().join("tests/fixtures/templates/language-extensions.yaml"))
            .unwrap();
    for (name, text, said) in [
        (
            "macro.yaml",
            serverless.replace(
                "Transform: AWS::Serverless-2016-10-31",
                "Transform: [AWS::Serverless-2016-10-31, CompanyMacro]",
            ),
            "transform `CompanyMacro`",
        ),
        (
            "unknown-list.yaml",
            extensions.replace("    Default: \"web,api\"\n", ""),
            "loop `Fn::ForEach::Tiers` over parameter `Tiers`",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (failing, unknown, stderr) = judge(path.to_str().unwrap());
        assert_eq!(failing, Vec::<String>::new(), "{name}");
        assert_eq!(unknown, ["HA010 sg-Web"], "{name}");
        assert!(stderr.contains(said), "{name}: {stderr}");
    }

    let path = dir.path().join("loop.yaml");
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/templates/language-extensions.yaml"))
            .unwrap()
            .replace("Transform: AWS::LanguageExtensions\n", "");
    std::fs::write(&path, text).unwrap();
    let output = hacheck()
        .args(["scan", "--template"])
        .arg(&path)
        .output()
        .unwrap();
    let err = crate::support::assert_exit(&output, 2);
    assert!(
        err.contains(
            ":6:3: resource `Fn::ForEach::Groups` needs `Transform: AWS::LanguageExtensions`"
        ),
        "{err}"
    );

    let path = dir.path().join("list.yaml");
    let text = std::fs::read_to_string(root().join("tests/fixtures/templates/short-forms.yaml"))
        .unwrap()
        .replace("Default: \"a,b\"", "Default: \"a,d\"");
    std::fs::write(&path, text).unwrap();
    let output = hacheck()
        .args(["scan", "--template"])
        .arg(&path)
        .output()
        .unwrap();
    let err = crate::support::assert_exit(&output, 2);
    assert!(
        err.contains("parameter `Zones` is `d`, not one of its AllowedValues"),
        "{err}"
    );
}

/// A Classic Load Balancer whose subnets are a parameter: its zones wait for it (HA019
/// unknown, not "0 zones"); with the subnets declared, an instance group admitting its
/// `SourceSecurityGroup.GroupName` (AWS's sample templates' way) admits the load balancer
/// and passes HA009.
#[test]
fn a_classic_load_balancers_source_group_and_its_subnets_as_a_parameter() {
    let template = |subnets: &str| {
        format!(
            r##"Parameters:
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.0.0.0/16}}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a}}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: us-east-1b}}
  Elb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Subnets: {subnets}
      CrossZone: true
      Listeners:
        - {{LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}}
  WebGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          SourceSecurityGroupOwnerId: !GetAtt Elb.SourceSecurityGroup.OwnerAlias
          SourceSecurityGroupName: !GetAtt Elb.SourceSecurityGroup.GroupName
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        SecurityGroupIds: [!Ref WebGroup]
        UserData: !Base64 "#!/bin/sh"
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: {subnets}
      LaunchTemplate: {{LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}}
      MinSize: "2"
      MaxSize: "4"
      LoadBalancerNames: [!Ref Elb]
      HealthCheckType: ELB
"##
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let status = |report: &serde_json::Value, rule: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    let path = dir.path().join("parameter.yaml");
    std::fs::write(&path, template("!Ref Subnets")).unwrap();
    let (_, report) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(
        status(&report, "HA019").as_deref(),
        Some("unknown"),
        "{report}"
    );

    let path = dir.path().join("declared.yaml");
    std::fs::write(&path, template("[!Ref SubnetA, !Ref SubnetB]")).unwrap();
    let (_, report) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(
        status(&report, "HA009").as_deref(),
        Some("pass"),
        "{report}"
    );
    assert_eq!(
        status(&report, "HA019").as_deref(),
        Some("pass"),
        "{report}"
    );
}

/// A CPU alarm at the wrong threshold is mended in place (its `Threshold` line), never
/// twinned: after the fix the template has the same alarms, and HA014/HA015 pass.
#[test]
fn a_wrong_threshold_is_mended_in_place_not_twinned() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml"))
        .unwrap()
        .replacen("      Threshold: 75\n", "      Threshold: 90\n", 1)
        .replacen("      Threshold: 10\n", "      Threshold: 70\n", 1);
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, &text).unwrap();
    let (_, before) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(verdicts(&before, "fail"), ["HA014", "HA015"]);
    let (code, diff, notes) = fix_template(dir.path(), "app.yaml", true);
    assert_eq!(code, 1, "{notes}");
    assert!(
        diff.contains("-      Threshold: 90\n+      Threshold: 75\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-      Threshold: 70\n+      Threshold: 10\n"),
        "{diff}"
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        fixed.matches("Type: AWS::CloudWatch::Alarm").count(),
        text.matches("Type: AWS::CloudWatch::Alarm").count(),
        "no twin alarm"
    );
    lint(&path);
    let (_, after) = scan_json(&["--template", path.to_str().unwrap()]);
    assert!(verdicts(&after, "fail").is_empty(), "{after}");
}

/// An Aurora cluster's instances take its `VpcSecurityGroupIds` (HA013 fails a cluster open
/// to the world on its instances); one instance whose zone RDS picks fails HA012 as one
/// instance (not "no instance"); two such are unknown until deploy.
#[test]
fn an_aurora_clusters_instances_take_its_security_groups_and_zones_wait_for_deploy() {
    let path = template("tests/fixtures/templates/aurora-open.yaml");
    let (_, report) = scan_json(&["--scope", "account", "--template", &path]);
    let result = |rule: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule)
            .map(|r| {
                (
                    r["status"].as_str().unwrap().to_owned(),
                    r["message"].as_str().unwrap().to_owned(),
                )
            })
            .unwrap()
    };
    assert_eq!(result("HA013").0, "fail", "{report}");
    let (status, message) = result("HA012");
    assert_eq!(status, "fail");
    assert!(message.contains("has one instance"), "{message}");

    let dir = tempfile::tempdir().unwrap();
    let two = dir.path().join("two.yaml");
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/templates/aurora-open.yaml")).unwrap();
    let reader = "  AuroraReader:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: aurora-mysql\n      DBClusterIdentifier: !Ref AuroraCluster\n      DBInstanceClass: db.r6g.large\n      DBSubnetGroupName: !Ref DbSubnets\n";
    std::fs::write(&two, text + reader).unwrap();
    let (_, report) = scan_json(&["--scope", "account", "--template", two.to_str().unwrap()]);
    let status = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "HA012")
        .map(|r| r["status"].as_str().unwrap().to_owned());
    assert_eq!(status.as_deref(), Some("unknown"), "{report}");

    // The cluster's groups given by a parameter: its instance's openness waits for them.
    let given = dir.path().join("given.yaml");
    let text = std::fs::read_to_string(root().join("tests/fixtures/templates/aurora-open.yaml"))
        .unwrap()
        .replace(
            "VpcSecurityGroupIds: [!Ref DbGroup]",
            "VpcSecurityGroupIds: !Ref DbGroups",
        );
    let text = match text.strip_prefix("Parameters:\n") {
        Some(rest) => {
            format!("Parameters:\n  DbGroups:\n    Type: List<AWS::EC2::SecurityGroup::Id>\n{rest}")
        }
        None => {
            format!("Parameters:\n  DbGroups:\n    Type: List<AWS::EC2::SecurityGroup::Id>\n{text}")
        }
    };
    std::fs::write(&given, text).unwrap();
    let (_, report) = scan_json(&["--scope", "account", "--template", given.to_str().unwrap()]);
    let status = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "HA013" && r["resource"]["id"] == "aurorainstance")
        .map(|r| r["status"].as_str().unwrap().to_owned());
    assert_eq!(status.as_deref(), Some("unknown"), "{report}");
}

/// The shape of AWS's ECS cluster samples: an ALB whose group admits all traffic from the
/// world, a dummy target group, container hosts admitting all traffic from the ALB's group
/// and from each other, launched with user data that joins a cluster. The ALB's group is no
/// SSH exposure and no bastion, the hosts' self-reference no way around the ALB, and the
/// hosts' group is ECS's: the fix neither empties the ALB's ingress nor attaches the hosts
/// to the dummy target group.
#[test]
fn an_ecs_clusters_hosts_are_left_to_ecs_and_its_load_balancer_keeps_its_ingress() {
    let template = r##"Parameters:
  ImageId:
    Type: AWS::EC2::Image::Id
    Default: ami-12345678
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: us-east-1b}
  Cluster:
    Type: AWS::ECS::Cluster
  LoadBalancerGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Access to the public facing load balancer
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        # Allow access to ALB from anywhere on the internet
        - CidrIp: 0.0.0.0/0
          IpProtocol: -1
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Subnets: [!Ref SubnetA, !Ref SubnetB]
      SecurityGroups: [!Ref LoadBalancerGroup]
  DummyTargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref Vpc
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref LoadBalancer
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref DummyTargetGroup
  HostGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Access to the ECS hosts
      VpcId: !Ref Vpc
  HostIngressFromLoadBalancer:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref HostGroup
      IpProtocol: -1
      SourceSecurityGroupId: !Ref LoadBalancerGroup
  HostIngressFromSelf:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref HostGroup
      IpProtocol: -1
      SourceSecurityGroupId: !Ref HostGroup
  ContainerInstances:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref ImageId
        SecurityGroupIds: [!Ref HostGroup]
        UserData:
          Fn::Base64: !Sub |
            #!/bin/bash -xe
            echo ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config
  Hosts:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
      LaunchTemplate:
        LaunchTemplateId: !Ref ContainerInstances
        Version: !GetAtt ContainerInstances.LatestVersionNumber
      MinSize: "1"
      MaxSize: "4"
"##;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecs.yaml");
    std::fs::write(&path, template).unwrap();
    lint(&path);
    let (_, report) = scan_json(&["--template", path.to_str().unwrap()]);
    let failing = verdicts(&report, "fail");
    for not_failing in ["HA009", "HA010", "HA004", "HA006"] {
        assert!(
            !failing.iter().any(|f| f.starts_with(not_failing)),
            "{not_failing} fails: {failing:?}"
        );
    }
    let apps = hacheck()
        .args(["apps", "--template"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        stdout(&apps).contains("managed by ECS (its instances join a cluster"),
        "{}",
        stdout(&apps)
    );
    // The services' tasks are registered at run time: the listener is still users' way in,
    // which no fix may cut.
    assert!(
        stdout(&apps)
            .contains("reached: internet → load balancer LoadBalancer :80/tcp → target group")
            && stdout(&apps).contains("→ targets registered at run time"),
        "{}",
        stdout(&apps)
    );
    let (_, diff, _) = fix_template(dir.path(), "ecs.yaml", false);
    for never in [
        "-        - CidrIp: 0.0.0.0/0",
        "DummyTargetGroup\n+",
        "-  HostIngressFromSelf:",
        "+      TargetGroupARNs:",
    ] {
        assert!(!diff.contains(never), "the fix wrote `{never}`:\n{diff}");
    }
}

/// Unknown exactly when an input decides: two groups in the VPC a parameter names are in
/// the same VPC whatever it is (the instances' group admitting the load balancer's passes,
/// one admitting the world fails), and a launch template whose groups are a parameter
/// leaves HA009 unknown on its Auto Scaling group rather than silent.
#[test]
fn a_vpc_given_by_a_parameter_decides_nothing_launch_groups_given_by_one_do() {
    let template = |instance_ingress: &str, launch_groups: &str| {
        format!(
            r##"Parameters:
  VPC:
    Type: AWS::EC2::VPC::Id
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
  Groups:
    Type: List<AWS::EC2::SecurityGroup::Id>
Resources:
  ElbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Enable public access HTTP
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {{CidrIp: 0.0.0.0/0, FromPort: "80", IpProtocol: tcp, ToPort: "80"}}
  InstanceGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: HTTP from the load balancer only
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {instance_ingress}
  Elb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      SecurityGroups: [!Ref ElbGroup]
      Subnets: !Ref Subnets
      CrossZone: "true"
      Listeners:
        - {{InstancePort: "80", LoadBalancerPort: "80", Protocol: HTTP}}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        SecurityGroupIds: {launch_groups}
        UserData: !Base64 "#!/bin/sh"
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: !Ref Subnets
      LaunchTemplate: {{LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}}
      MinSize: "2"
      MaxSize: "4"
      LoadBalancerNames: [!Ref Elb]
      HealthCheckType: ELB
"##
        )
    };
    let from_elb = "{FromPort: \"80\", IpProtocol: tcp, ToPort: \"80\", SourceSecurityGroupId: !GetAtt ElbGroup.GroupId}";
    let from_world = "{FromPort: \"80\", IpProtocol: tcp, ToPort: \"80\", CidrIp: 0.0.0.0/0}";
    let dir = tempfile::tempdir().unwrap();
    let ha009 = |name: &str, text: String| lint_and_judge(dir.path(), name, &text, "HA009");
    let pair = |id: &str, status: &str| (id.to_owned(), status.to_owned());
    assert_eq!(
        ha009("from-elb.yaml", template(from_elb, "[!Ref InstanceGroup]")),
        [pair("sg-InstanceGroup", "pass")]
    );
    assert_eq!(
        ha009(
            "from-world.yaml",
            template(from_world, "[!Ref InstanceGroup]")
        ),
        [pair("sg-InstanceGroup", "fail")]
    );
    assert_eq!(
        ha009("groups-given.yaml", template(from_elb, "!Ref Groups")),
        [pair("Asg", "unknown")]
    );
}

#[test]
fn traffic_sources_capacity_units_and_override_templates_are_read() {
    let template = |sources: &str, extra: &str| {
        format!(
            r##"Parameters:
  VPC:
    Type: AWS::EC2::VPC::Id
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  AlbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: HTTP from anywhere
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {{CidrIp: 0.0.0.0/0, FromPort: 80, IpProtocol: tcp, ToPort: 80}}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref Subnets
      SecurityGroups: [!Ref AlbGroup]
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref VPC
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - {{Type: forward, TargetGroupArn: !Ref Targets}}
  InstanceGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: HTTP from the load balancer only
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {{SourceSecurityGroupId: !GetAtt AlbGroup.GroupId, FromPort: 80, IpProtocol: tcp, ToPort: 80}}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        SecurityGroupIds: [!Ref InstanceGroup]
        UserData: !Base64 "#!/bin/sh"
  Other:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        NetworkInterfaces:
          - {{DeviceIndex: 0, AssociatePublicIpAddress: true}}
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: !Ref Subnets
      MinSize: "2"
      MaxSize: "4"
      HealthCheckType: ELB
      TrafficSources:
        - {sources}
{extra}"##
        )
    };
    let own_template = "      LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}";
    let mixed = r#"      DesiredCapacityType: vcpu
      MixedInstancesPolicy:
        LaunchTemplate:
          LaunchTemplateSpecification: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
          Overrides:
            - {InstanceType: m5.large}
            - InstanceType: c5.large
              LaunchTemplateSpecification: {LaunchTemplateId: !Ref Other, Version: !GetAtt Other.LatestVersionNumber}"#;
    let target_group = "{Identifier: !Ref Targets, Type: elbv2}";
    let lattice = "{Identifier: arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0abc, Type: vpc-lattice}";
    let dir = tempfile::tempdir().unwrap();
    // Each template linted once, then judged rule by rule: the group's statuses.
    let judge = |name: &str, text: &str, rule: &str| {
        let path = dir.path().join(name);
        if !path.exists() {
            std::fs::write(&path, text).unwrap();
            lint(&path);
        }
        crate::template_cli::judge(&path, rule)
            .into_iter()
            .filter(|(id, _)| id == "Asg")
            .map(|(_, status)| status)
            .collect::<Vec<_>>()
    };
    // A target group attached as a traffic source serves the group as one attached by ARN.
    let plain = template(target_group, own_template);
    assert_eq!(judge("plain.yaml", &plain, "HA006"), ["pass"]);
    assert_eq!(judge("plain.yaml", &plain, "HA004"), ["pass"]);
    assert_eq!(judge("plain.yaml", &plain, "HA005"), ["pass"]);
    // Sizes in vCPUs, and an override launching from another template: not judged as if
    // they were instances and the group's own template.
    let overridden = template(target_group, mixed);
    assert_eq!(judge("mixed.yaml", &overridden, "HA004"), ["unknown"]);
    assert_eq!(judge("mixed.yaml", &overridden, "HA005"), ["unknown"]);
    assert_eq!(judge("mixed.yaml", &overridden, "HA009"), ["unknown"]);
    assert_eq!(judge("plain.yaml", &plain, "HA009"), Vec::<String>::new());
    // A VPC Lattice target group is a traffic source HA006 was not written for.
    let lattice = template(lattice, own_template);
    assert_eq!(judge("lattice.yaml", &lattice, "HA006"), ["unknown"]);
}

#[test]
fn a_name_aliasing_a_cloudfront_distribution_reaches_the_load_balancer_it_fronts() {
    let template = |origin: &str| {
        format!(
            r##"Parameters:
  VPC:
    Type: AWS::EC2::VPC::Id
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  OriginGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: HTTP from CloudFront only
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {{SourcePrefixListId: pl-3b927c52, FromPort: 80, IpProtocol: tcp, ToPort: 80}}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref Subnets
      SecurityGroups: [!Ref OriginGroup]
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Aliases: [shop.example.com]
        Origins:
          - Id: alb
            DomainName: {origin}
            CustomOriginConfig: {{OriginProtocolPolicy: http-only}}
        DefaultCacheBehavior:
          TargetOriginId: alb
          ViewerProtocolPolicy: redirect-to-https
          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
  Name:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: shop.example.com
      Type: A
      AliasTarget: {{DNSName: !GetAtt Cdn.DomainName, HostedZoneId: Z2FDTNDATAQYW2}}
"##
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let ha017 = |name: &str, text: String| lint_and_judge(dir.path(), name, &text, "HA017");
    let pair = |id: &str, status: &str| (id.to_owned(), status.to_owned());
    assert_eq!(
        ha017("fronted.yaml", template("!GetAtt Alb.DNSName")),
        [pair("Alb", "pass")]
    );
    // A distribution in front of something else leaves the load balancer's name unknown.
    assert_eq!(
        ha017("elsewhere.yaml", template("assets.s3.amazonaws.com")),
        [pair("Alb", "unknown")]
    );
}
