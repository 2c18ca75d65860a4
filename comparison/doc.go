// Package comparison measures pbxauth against what a user could pick
// instead, in the same run. It holds tests and benchmarks only, and is a
// module of its own so that the libraries it compares with never become
// dependencies of pbxauth.
package comparison
