// Command big depends on a module whose zip is about 24 MiB (several download shards).
package main

import (
	"fmt"

	"example.com/big"
)

func main() { fmt.Println(big.DataFile) }
