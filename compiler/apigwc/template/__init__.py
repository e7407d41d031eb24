"""SAM and CloudFormation templates as a source of REST APIs."""
