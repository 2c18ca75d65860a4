module github.com/pbxauth/pbxauth/comparison

go 1.26.0

replace github.com/pbxauth/pbxauth => ../

require (
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/pbxauth/pbxauth v0.0.0-00010101000000-000000000000
)

require github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
