"""Benchmark `hacheck inventory` against moto: seed a large account, then time hacheck and
a baseline that issues the minimal paginated describe calls one after another (boto3).

Prints wall time, AWS calls and peak RSS of hacheck, and the baseline's per-service chain
times. Run through scripts/bench-inventory (which starts moto and builds hacheck)."""
import json, os, re, subprocess, sys, time
import boto3

endpoint, binary = sys.argv[1], sys.argv[2]
scale = float(os.environ.get("BENCH_SCALE", "1"))
N_INSTANCES, N_ASG, N_LB, N_RDS, N_ALARMS = (int(n * scale) for n in (1000, 50, 50, 50, 200))
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
c = {s: boto3.client(s, **kw) for s in ["ec2", "autoscaling", "elbv2", "rds", "cloudwatch", "sns", "route53"]}

t0 = time.time()
subnets = [s["SubnetId"] for s in c["ec2"].describe_subnets()["Subnets"]][:2]
for start in range(0, N_INSTANCES, 100):
    c["ec2"].run_instances(ImageId="ami-12c6146b", MinCount=min(100, N_INSTANCES - start), MaxCount=min(100, N_INSTANCES - start), SubnetId=subnets[0])
c["autoscaling"].create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12c6146b", InstanceType="t3.micro")
for i in range(N_ASG):
    c["autoscaling"].create_auto_scaling_group(AutoScalingGroupName=f"g{i}", LaunchConfigurationName="lc", MinSize=0, MaxSize=2, DesiredCapacity=0, VPCZoneIdentifier=",".join(subnets))
for i in range(N_LB):
    c["elbv2"].create_load_balancer(Name=f"lb{i}", Subnets=subnets)
for i in range(N_RDS):
    c["rds"].create_db_instance(DBInstanceIdentifier=f"db{i}", Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="a", MasterUserPassword="password123")
for i in range(N_ALARMS):
    c["cloudwatch"].put_metric_alarm(AlarmName=f"a{i}", Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average", Period=300, EvaluationPeriods=1, Threshold=75.0, ComparisonOperator="GreaterThanThreshold")
print(f"seeded {N_INSTANCES} instances, {N_ASG} ASGs, {N_LB} LBs, {N_RDS} DB instances, {N_ALARMS} alarms in {time.time() - t0:.1f} s")

def chain(name, fn):
    start = time.time(); calls = fn(); return name, time.time() - start, calls

def paginate(client, op, **args):
    calls = 0
    for _ in c[client].get_paginator(op).paginate(**args):
        calls += 1
    return calls

def baseline():
    return [
        chain("ec2", lambda: sum(paginate("ec2", op) for op in ["describe_vpcs", "describe_subnets", "describe_route_tables", "describe_internet_gateways", "describe_nat_gateways", "describe_security_groups", "describe_instances", "describe_launch_templates"]) + paginate("ec2", "describe_images", Owners=["self"])),
        chain("autoscaling", lambda: sum(paginate("autoscaling", op) for op in ["describe_auto_scaling_groups", "describe_policies", "describe_launch_configurations"])),
        chain("elbv2", lambda: paginate("elbv2", "describe_load_balancers") + paginate("elbv2", "describe_target_groups")),
        chain("rds", lambda: paginate("rds", "describe_db_instances") + paginate("rds", "describe_db_subnet_groups")),
        chain("cloudwatch", lambda: paginate("cloudwatch", "describe_alarms")),
        chain("sns", lambda: paginate("sns", "list_topics") + paginate("sns", "list_subscriptions")),
        chain("route53", lambda: paginate("route53", "list_hosted_zones")),
    ]

start = time.time(); chains = baseline(); base_wall = time.time() - start
slowest = max(chains, key=lambda x: x[1])
env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_EC2_METADATA_DISABLED="true", HACHECK_LOG="hacheck=info")
start = time.time()
run = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb=%M", binary, "--endpoint-url", endpoint, "--region", "us-east-1", "inventory", "--output", "/dev/null"], env=env, capture_output=True, text=True)
wall = time.time() - start
calls = re.search(r"calls\S*?(\d+)", re.sub(r"\x1b\[[0-9;]*m", "", run.stderr))
rss = re.search(r"maxrss_kb=(\d+)", run.stderr)
print(f"baseline (sequential boto3): {base_wall:.2f} s, {sum(x[2] for x in chains)} calls; chains: " + ", ".join(f"{n} {t:.2f} s" for n, t, _ in chains))
print(f"hacheck inventory: {wall:.2f} s wall, {calls.group(1) if calls else '?'} AWS calls, peak RSS {int(rss.group(1)) / 1024:.0f} MB (exit {run.returncode})")
print(f"ratio hacheck / slowest single chain ({slowest[0]}): {wall / slowest[1]:.2f}; hacheck / sequential baseline: {wall / base_wall:.2f}")
