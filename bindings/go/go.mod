module github.com/docker-gc/docker-gc/bindings/go

go 1.19
