module example.com/fork

go 1.17
