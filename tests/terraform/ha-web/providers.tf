# The provider talks to the endpoint given (a moto server in the tests): no credentials, no
# account lookup, nothing downloaded (the plugin comes from the machine's local mirror).
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:5000"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    autoscaling      = var.endpoint
    cloudwatch       = var.endpoint
    ec2              = var.endpoint
    elb              = var.endpoint
    elbv2            = var.endpoint
    iam              = var.endpoint
    rds              = var.endpoint
    route53          = var.endpoint
    sns              = var.endpoint
    sts              = var.endpoint
  }
}
