//! Benchmark: `scan --template` of a generated template of about 500 resources (a network
//! and 32 web applications: groups, launch templates, load balancers, listeners, alarms,
//! databases), read, converted, indexed, modelled and judged by the whole pack. Prints the
//! median of several runs of each stage; asserts nothing.
//!
//! cargo bench --bench template_scan

use std::fmt::Write;

use hacheck::template::{PLACEHOLDER_ACCOUNT, TemplateOptions};

mod support;

const APPS: usize = 38;
const RUNS: usize = 9;

fn template() -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Cert:\n    Type: String\n    Default: arn:aws:acm:us-east-1:123456789012:certificate/x\nResources:\n",
    );
    t.push_str("  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n");
    t.push_str("  Igw:\n    Type: AWS::EC2::InternetGateway\n");
    t.push_str("  Attach:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref Vpc\n      InternetGatewayId: !Ref Igw\n");
    t.push_str(
        "  PublicRoutes:\n    Type: AWS::EC2::RouteTable\n    Properties:\n      VpcId: !Ref Vpc\n",
    );
    t.push_str("  Default:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref PublicRoutes\n      DestinationCidrBlock: 0.0.0.0/0\n      GatewayId: !Ref Igw\n");
    for (n, kind) in ["PublicA", "PublicB", "PrivateA", "PrivateB"]
        .iter()
        .enumerate()
    {
        writeln!(t, "  {kind}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: 10.0.{n}.0/24\n      AvailabilityZone: !Select [{}, !GetAZs \"\"]", n % 2).unwrap();
    }
    for kind in ["PublicA", "PublicB"] {
        writeln!(t, "  {kind}Routes:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties:\n      SubnetId: !Ref {kind}\n      RouteTableId: !Ref PublicRoutes").unwrap();
    }
    t.push_str("  Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n      Subscription: [{ Protocol: email, Endpoint: oncall@example.com }]\n");
    t.push_str("  BastionSg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: bastion\n      VpcId: !Ref Vpc\n      SecurityGroupIngress: [{ IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 203.0.113.0/24 }]\n");
    t.push_str("  Bastion:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0a1b2c3d4e5f60003\n      SubnetId: !Ref PublicA\n      SecurityGroupIds: [!Ref BastionSg]\n      Tags: [{ Key: Role, Value: bastion }]\n");
    for a in 0..APPS {
        writeln!(
            t,
            r##"  Lb{a}Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: lb
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {{ IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }}
        - {{ IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0 }}
  App{a}Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {{ IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref Lb{a}Sg }}
        - {{ IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: !Ref BastionSg }}
  Lt{a}:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0a1b2c3d4e5f60002
        InstanceType: t3.small
        SecurityGroupIds: [!Ref App{a}Sg]
        UserData: !Base64 "#!/bin/bash\nsystemctl start app\n"
  Group{a}:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "6"
      HealthCheckType: ELB
      HealthCheckGracePeriod: 300
      VPCZoneIdentifier: [!Ref PrivateA, !Ref PrivateB]
      LaunchTemplate: {{ LaunchTemplateId: !Ref Lt{a}, Version: !GetAtt Lt{a}.LatestVersionNumber }}
      TargetGroupARNs: [!Ref Tg{a}]
  Tg{a}:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref Vpc
      Port: 8080
      Protocol: HTTP
      HealthCheckPath: /health
  Lb{a}:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref PublicA, !Ref PublicB]
      SecurityGroups: [!Ref Lb{a}Sg]
  Https{a}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb{a}
      Port: 443
      Protocol: HTTPS
      Certificates: [{{ CertificateArn: !Ref Cert }}]
      DefaultActions: [{{ Type: forward, TargetGroupArn: !Ref Tg{a} }}]
  Http{a}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb{a}
      Port: 80
      Protocol: HTTP
      DefaultActions: [{{ Type: redirect, RedirectConfig: {{ Protocol: HTTPS, Port: "443", StatusCode: HTTP_301 }} }}]
  Out{a}:
    Type: AWS::AutoScaling::ScalingPolicy
    Properties: {{ AutoScalingGroupName: !Ref Group{a}, AdjustmentType: ChangeInCapacity, ScalingAdjustment: 1 }}
  In{a}:
    Type: AWS::AutoScaling::ScalingPolicy
    Properties: {{ AutoScalingGroupName: !Ref Group{a}, AdjustmentType: ChangeInCapacity, ScalingAdjustment: -1 }}
  High{a}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 300
      EvaluationPeriods: 2
      Threshold: 75
      ComparisonOperator: GreaterThanThreshold
      Dimensions: [{{ Name: AutoScalingGroupName, Value: !Ref Group{a} }}]
      AlarmActions: [!Ref Out{a}, !Ref Alerts]
  Low{a}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 300
      EvaluationPeriods: 2
      Threshold: 10
      ComparisonOperator: LessThanThreshold
      Dimensions: [{{ Name: AutoScalingGroupName, Value: !Ref Group{a} }}]
      AlarmActions: [!Ref In{a}, !Ref Alerts]
  Alias{a}:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app{a}.example.com
      Type: A
      AliasTarget: {{ DNSName: !GetAtt Lb{a}.DNSName, HostedZoneId: !GetAtt Lb{a}.CanonicalHostedZoneID }}"##
        )
        .unwrap();
    }
    t
}

fn main() {
    let dir = std::env::temp_dir().join(format!("hacheck-template-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("apps.yaml");
    let text = template();
    std::fs::write(&path, &text).unwrap();
    let options = TemplateOptions {
        paths: vec![path.clone()],
        parameters: Vec::new(),
        region: "us-east-1".into(),
        account: PLACEHOLDER_ACCOUNT.into(),
    };
    let stages = support::scan(RUNS, || {
        hacheck::template::load(&options).expect("the template loads")
    });
    std::fs::remove_dir_all(&dir).ok();
    let declared = text.matches("\n    Type: ").count();
    println!(
        "template of {declared} resources ({} bytes) → {} inventory resources, {} results ({} failing)",
        text.len(),
        stages.resources,
        stages.results,
        stages.failing
    );
    println!(
        "read + evaluate intrinsics + convert: {:>8.1} ms (median of {RUNS})",
        support::median(&stages.load)
    );
    println!(
        "rules (whole pack):                   {:>8.1} ms",
        support::median(&stages.judge)
    );
    println!(
        "whole scan (index and model included): {:>7.1} ms",
        support::median(&stages.total)
    );
}
