module github.com/patholabel/patholabel/cli

go 1.26.0
