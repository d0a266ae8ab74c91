# SwiftCode's starting point as Terraform, the twin of examples/templates/single-server.yaml:
# one instance with a public address serving the site, SSH open to the world, a single-AZ
# MySQL database reachable from the internet, and the public name pointing at the
# instance's address.

variable "image_id" {
  type    = string
  default = "ami-0a1b2c3d4e5f60004"
}

variable "key_name" {
  type    = string
  default = "ops"
}

variable "domain_name" {
  type    = string
  default = "swiftcode.example.com"
}

variable "web_ports" {
  description = "What the launch wizard opened to the world."
  type        = list(number)
  default     = [22, 80, 443, 9000]
}

resource "aws_vpc" "main" {
  cidr_block           = "172.31.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_subnet" "a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "172.31.0.0/20"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "b" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "172.31.16.0/20"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "b" {
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "swiftcode-web"
  description = "launch-wizard-1"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "web" {
  count             = length(var.web_ports)
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = var.web_ports[count.index]
  to_port           = var.web_ports[count.index]
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group" "db" {
  name        = "swiftcode-db"
  description = "rds-launch-wizard"
  vpc_id      = aws_vpc.main.id

  ingress {
    protocol    = "tcp"
    from_port   = 3306
    to_port     = 3306
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                    = var.image_id
  instance_type          = "t3.medium"
  key_name               = var.key_name
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.web.id]
  tags = {
    Name = "swiftcode-stage"
  }
}

resource "aws_db_subnet_group" "db" {
  description = "default"
  subnet_ids  = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_db_instance" "db" {
  identifier                  = "swiftcode-db"
  engine                      = "mysql"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  username                    = "admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.db.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  availability_zone           = aws_subnet.a.availability_zone
  multi_az                    = false
  publicly_accessible         = true
  backup_retention_period     = 1
  skip_final_snapshot         = false
  final_snapshot_identifier   = "swiftcode-db-final"
}

resource "aws_route53_zone" "site" {
  name = "example.com"
}

resource "aws_route53_record" "site" {
  zone_id = aws_route53_zone.site.zone_id
  name    = var.domain_name
  type    = "A"
  ttl     = 300
  records = [aws_instance.web.public_ip]
}
