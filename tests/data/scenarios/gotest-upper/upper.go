//go:build never

package main

import _ "rsc.io/QUOTE/QUOTE"
