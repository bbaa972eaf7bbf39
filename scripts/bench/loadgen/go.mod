module github.com/patholabel/patholabel/scripts/bench/loadgen

go 1.26.0
