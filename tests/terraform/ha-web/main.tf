# The high-availability reference architecture as Terraform, the twin of
# examples/templates/ha-web.yaml: instances in an Auto Scaling group over two zones in private
# subnets, launched from a template whose user data starts the application; an
# internet-facing Application Load Balancer on 80 (redirect) and 443; SSH only through a
# bastion; a Multi-AZ database; CPU alarms scaling out and in and notifying a topic; the
# public name an alias of the load balancer.

variable "app_image_id" {
  type    = string
  default = "ami-0a1b2c3d4e5f60002"
}

variable "bastion_image_id" {
  type    = string
  default = "ami-0a1b2c3d4e5f60003"
}

variable "admin_cidr" {
  description = "The office network administrators reach the bastion from."
  type        = string
  default     = "203.0.113.0/24"
}

variable "certificate_arn" {
  type    = string
  default = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-1111-2222-3333-444444444444"
}

variable "domain_name" {
  type    = string
  default = "shop.example.com"
}

variable "alert_email" {
  type    = string
  default = "oncall@example.com"
}

module "network" {
  source = "./modules/network"
  name   = "shop"
  cidr   = "10.0.0.0/16"
  zones  = ["us-east-1a", "us-east-1b"]
}

resource "aws_security_group" "lb" {
  name        = "shop-lb"
  description = "load balancer: web from the internet"
  vpc_id      = module.network.vpc_id

  ingress {
    protocol         = "tcp"
    from_port        = 80
    to_port          = 80
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    protocol         = "tcp"
    from_port        = 443
    to_port          = 443
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "bastion" {
  name        = "shop-bastion"
  description = "bastion: ssh from the office"
  vpc_id      = module.network.vpc_id
}

resource "aws_security_group_rule" "bastion_ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.bastion.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [var.admin_cidr]
}

resource "aws_security_group" "app" {
  name        = "shop-app"
  description = "app instances: from the load balancer and the bastion"
  vpc_id      = module.network.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_lb" {
  security_group_id            = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.lb.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_bastion" {
  security_group_id            = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group" "db" {
  name        = "shop-db"
  description = "database: from the app"
  vpc_id      = module.network.vpc_id

  ingress {
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_instance" "bastion" {
  ami                    = var.bastion_image_id
  instance_type          = "t3.micro"
  subnet_id              = module.network.public_subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.bastion.id]
  tags = {
    Name = "shop-bastion"
    Role = "bastion"
  }
}

resource "aws_launch_template" "app" {
  name          = "shop-app"
  image_id      = var.app_image_id
  instance_type = "t3.small"

  network_interfaces {
    device_index                = 0
    associate_public_ip_address = false
    security_groups             = [aws_security_group.app.id]
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    systemctl enable --now shop-app
    echo "started in us-east-1"
  EOT
  )
}

resource "aws_autoscaling_group" "app" {
  name                      = "shop-asg"
  wait_for_capacity_timeout = "0"
  min_size                  = 2
  max_size                  = 6
  desired_capacity          = 2
  health_check_type         = "ELB"
  health_check_grace_period = 300
  vpc_zone_identifier       = module.network.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.app.arn]

  # Two instance types: replacements after a zone loss take whichever the zones left
  # still have.
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.app.id
        version            = aws_launch_template.app.latest_version
      }
      override {
        instance_type = "t3.micro"
      }
      override {
        instance_type = "t3a.micro"
      }
    }
  }

  # Replacements (health checks, refreshes, rebalancing) launch before they terminate.
  instance_maintenance_policy {
    min_healthy_percentage = 100
    max_healthy_percentage = 110
  }
}

resource "aws_lb_target_group" "app" {
  name        = "shop-tg"
  vpc_id      = module.network.vpc_id
  port        = 8080
  protocol    = "HTTP"
  target_type = "instance"

  health_check {
    path     = "/health"
    port     = "traffic-port"
    protocol = "HTTP"
  }
}

resource "aws_lb" "web" {
  name               = "shop-alb"
  internal           = false
  load_balancer_type = "application"
  subnets            = module.network.public_subnet_ids
  security_groups    = [aws_security_group.lb.id]

  enable_deletion_protection = true
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_alb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_autoscaling_policy" "scale_out" {
  name                   = "shop-scale-out"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "SimpleScaling"
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = 1
}

resource "aws_autoscaling_policy" "scale_in" {
  name                   = "shop-scale-in"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "SimpleScaling"
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = -1
}

resource "aws_sns_topic" "alerts" {
  name = "shop-alerts"
}

resource "aws_sns_topic_subscription" "oncall" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "shop-cpu-high"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 75
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.app.name
  }
  alarm_actions = [aws_autoscaling_policy.scale_out.arn, aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  alarm_name          = "shop-tg-unhealthy-targets"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    TargetGroup  = aws_lb_target_group.app.arn_suffix
    LoadBalancer = aws_lb.web.arn_suffix
  }
  alarm_actions = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "cpu_low" {
  alarm_name          = "shop-cpu-low"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 10
  comparison_operator = "LessThanThreshold"
  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.app.name
  }
  alarm_actions = [aws_autoscaling_policy.scale_in.arn, aws_sns_topic.alerts.arn]
}

resource "aws_db_subnet_group" "db" {
  name        = "shop-db-subnets"
  description = "the private subnets"
  subnet_ids  = module.network.private_subnet_ids
}

resource "aws_db_instance" "db" {
  identifier                  = "shop-db"
  engine                      = "postgres"
  instance_class              = "db.t3.medium"
  allocated_storage           = 50
  username                    = "shop"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.db.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  multi_az                    = true
  publicly_accessible         = false
  storage_encrypted           = true
  backup_retention_period     = 7
  skip_final_snapshot         = false
  final_snapshot_identifier   = "shop-db-final"

  deletion_protection = true
}

# Every DB instance's events, so that the subscription waits for no database to be built.
resource "aws_db_event_subscription" "db" {
  name             = "shop-db-events"
  sns_topic        = aws_sns_topic.alerts.arn
  source_type      = "db-instance"
  event_categories = ["failover", "failure", "maintenance"]
}

resource "aws_route53_zone" "site" {
  name = "example.com"
}

resource "aws_route53_record" "site" {
  zone_id = aws_route53_zone.site.zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.web.dns_name
    zone_id                = aws_lb.web.zone_id
    evaluate_target_health = true
  }
}
