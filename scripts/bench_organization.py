"""Benchmark `hacheck scan --organization` against moto: an organisation of N member
accounts (created through Organizations, each seeded through its own assumed role with a
small web stack), scanned whole and account by account, beside `c7n-org run` on the same
organisation when c7n-org is installed (its path in C7N_ORG).

Prints, in one run: wall time and peak memory (the whole process tree's RSS, sampled) of
hacheck for 1 account, a quarter of them and all of them; per-account time; and c7n-org's
figures for all of them. Asserts nothing. Run through scripts/bench-organization."""
import json, os, subprocess, sys, tempfile, threading, time
import boto3

endpoint, binary = sys.argv[1], sys.argv[2]
members = int(os.environ.get("BENCH_ACCOUNTS", "200"))
c7n_org = os.environ.get("C7N_ORG")
keys = dict(aws_access_key_id="x", aws_secret_access_key="x")
kw = dict(endpoint_url=endpoint, region_name="us-east-1", **keys)


def tree_rss_kb(root):
    """The RSS of `root` and every process below it, in KiB."""
    children, rss = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(pid))
            rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            pass
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending.extend(children.get(pid, []))
    return total


def measure(command, env):
    """(wall seconds, peak tree RSS MiB, exit code, stderr) of `command`."""
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    sampler.join()
    return time.time() - start, peak[0] / 1024, process.returncode, stderr


def as_account(account):
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = boto3.client("sts", **kw).assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    return dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def seed(account, n):
    """A web stack: two instances (the even accounts' public) behind no load balancer, a
    group open to the world on 8080, a database (Multi-AZ in every third account)."""
    session = as_account(account)
    ec2, rds = boto3.client("ec2", **session), boto3.client("rds", **session)
    subnet = ec2.describe_subnets()["Subnets"][0]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=subnet["VpcId"])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, NetworkInterfaces=[{
        "DeviceIndex": 0, "SubnetId": subnet["SubnetId"], "Groups": [group],
        "AssociatePublicIpAddress": n % 2 == 0}],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}])
    rds.create_db_instance(DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="a", MasterUserPassword="password123",
                           MultiAZ=n % 3 == 0)


start = time.time()
organizations = boto3.client("organizations", **kw)
organizations.create_organization(FeatureSet="ALL")
accounts = []
for n in range(members):
    created = organizations.create_account(AccountName=f"member-{n:03}", Email=f"m{n}@example.com")
    accounts.append(created["CreateAccountStatus"]["AccountId"])
for n, account in enumerate(accounts):
    seed(account, n)
print(f"organisation of {members} member accounts (and its management account) seeded in {time.time() - start:.0f} s")

env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_EC2_METADATA_DISABLED="true",
           AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
report_path = tempfile.mktemp(prefix="bench-hacheck-", suffix=".json")
base = [binary, "--quiet", "--endpoint-url", endpoint, "--region", "us-east-1", "scan", "--format", "json", "--output", report_path]
# moto builds a service's state for an account on its first call there: one unmeasured
# scan first, so that neither tool measured pays for it.
measure(base + ["--organization"], env)
rows = []
quarter = max(1, members // 4)
for label, selection in [("1 account", ["--account", accounts[0]]),
                         (f"{quarter} accounts", [a for account in accounts[:quarter] for a in ("--account", account)]),
                         (f"{members + 1} accounts (--organization)", ["--organization"])]:
    wall, peak, code, stderr = measure(base + selection, env)
    count = 1 if label == "1 account" else (quarter if selection[0] == "--account" else members + 1)
    rows.append((label, count, wall, peak))
    print(f"hacheck scan, {label}: {wall:.2f} s wall ({wall / count * 1000:.0f} ms per account), peak RSS {peak:.0f} MiB, exit {code}")
    if code not in (0, 1):
        print("  " + stderr.strip().replace("\n", "\n  "))
one, whole = rows[0], rows[-1]
with open(report_path) as f:
    report = json.load(f)
failing = {}
for result in report["results"]:
    if result["status"] == "fail":
        failing[result["rule_id"]] = failing.get(result["rule_id"], 0) + 1
scanned = sum(1 for a in report["accounts"] if a["status"] == "scanned")
print(f"  the whole run: {scanned} accounts scanned, failures by rule: "
      + ", ".join(f"{rule} {count}" for rule, count in sorted(failing.items())))
print(f"growth from 1 to {whole[1]} accounts: time x{whole[2] / one[2]:.1f} (accounts x{whole[1]}), memory x{whole[3] / one[3]:.2f}")

if c7n_org:
    work = tempfile.mkdtemp(prefix="bench-c7n-")
    everyone = [organizations.describe_organization()["Organization"]["MasterAccountId"]] + accounts
    with open(f"{work}/accounts.json", "w") as f:
        json.dump({"accounts": [{"account_id": a, "name": f"a{a}", "regions": ["us-east-1"],
                                 "role": f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole"} for a in everyone]}, f)
    # The same questions as far as Custodian can ask them: public instances, groups open to
    # the world, databases without Multi-AZ, plus the other resources a scan reads.
    policies = {"policies": [
        {"name": "public-instances", "resource": "aws.ec2", "filters": [{"PublicIpAddress": "present"}]},
        {"name": "open-groups", "resource": "aws.security-group",
         "filters": [{"type": "ingress", "Cidr": {"value": "0.0.0.0/0"}}]},
        {"name": "single-az-databases", "resource": "aws.rds", "filters": [{"MultiAZ": False}]},
        {"name": "groups", "resource": "aws.asg"},
        {"name": "load-balancers", "resource": "aws.app-elb"},
        {"name": "classic-load-balancers", "resource": "aws.elb"},
        {"name": "alarms", "resource": "aws.alarm"},
        {"name": "topics", "resource": "aws.sns"},
        {"name": "subnets", "resource": "aws.subnet"},
        {"name": "vpcs", "resource": "aws.vpc"},
    ]}
    with open(f"{work}/policies.json", "w") as f:
        json.dump(policies, f)
    c7n_env = dict(env, AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1")
    wall, peak, code, stderr = measure([c7n_org, "run", "-c", f"{work}/accounts.json", "-u", f"{work}/policies.json",
                                        "-s", f"{work}/out", "--region", "us-east-1"], c7n_env)
    print(f"c7n-org run, {len(everyone)} accounts: {wall:.2f} s wall, peak RSS {peak:.0f} MiB (process tree), exit {code}")
    if code != 0:
        print("  " + "\n  ".join(stderr.strip().splitlines()[-5:]))
    found = sum(1 for root, _, files in os.walk(f"{work}/out") for name in files if name == "resources.json")
    print(f"  c7n-org wrote {found} resources.json (policies x accounts ran: {len(policies['policies']) * len(everyone)})")

    def matched(policy):
        total = 0
        for root, _, files in os.walk(f"{work}/out"):
            if os.path.basename(root) == policy and "resources.json" in files:
                with open(f"{root}/resources.json") as f:
                    total += len(json.load(f))
        return total
    print(f"  c7n-org found {matched('public-instances')} public instances (seeded: {2 * ((members + 1) // 2)}), "
          f"{matched('single-az-databases')} single-AZ databases (seeded: {sum(1 for n in range(members) if n % 3)})")
    print(f"ratio c7n-org / hacheck, {len(everyone)} accounts: time {wall / whole[2]:.2f}, memory {peak / whole[3]:.2f}")
else:
    print("c7n-org not measured: set C7N_ORG to its path (scripts/bench-organization installs it)")
