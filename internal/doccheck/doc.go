// Package doccheck holds the test that keeps the documentation's Go
// snippets honest: every ```go block in the repository's Markdown is found,
// line for line and in order, in a Go file that `make test` compiles
// (an Example, a test, or the reference provider), so a snippet cannot
// drift from code that builds and runs.
//
// A snippet may leave out lines of that file (imports it does not need,
// the fake server an Example signs in to) and may mark a gap with a line
// that is only "..." or "// ..."; it may not say anything the compiled
// code does not. The pages also cite only what the repository has: every
// relative link and every file path in code type must exist. The package
// has no API.
package doccheck
