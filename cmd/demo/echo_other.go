//go:build !linux

package main

import (
	"errors"
	"os"
)

// isTerminal is false where the demo cannot turn echo off: the secret must
// then come from the environment.
func isTerminal(*os.File) bool { return false }

func disableEcho(*os.File) (func(), error) {
	return nil, errors.New("no echo control on this system")
}
