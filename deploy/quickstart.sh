#!/usr/bin/env bash
# The one command for a fresh Debian 12 machine (as root): install what is missing, build with JDK 25,
# start a lab cluster of 3 managers and 2 workers (network namespaces on this machine), show it, and
# deploy a demo service from the lab's registry.
# Running it again rebuilds and replaces the lab.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$repo"
name=shoal-lab

[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (it installs packages and makes network namespaces)" >&2; exit 1; }

echo "== 1/3 dependencies"
deploy/install-deps.sh
JAVA_HOME=$(deploy/install-deps.sh --jdk)
export JAVA_HOME

echo "== 2/3 build (JAVA_HOME=$JAVA_HOME)"
mvn -B -DskipTests package

echo "== 3/3 the lab and a demo service"
if [ -n "$(deploy/lab.sh ls | grep -x "$name" || true)" ] || [ -e "$repo/.lab/$name" ]; then
  echo "replacing the existing lab '$name'"
  deploy/lab.sh down --name "$name"
fi
deploy/lab.sh up --name "$name" --managers 3 --workers 2
echo
deploy/lab.sh cli h1 info
image=$(deploy/lab.sh registry)
echo
echo "Deploying a demo web service from $image on an overlay network, published on port 8080:"
deploy/lab.sh cli h1 network create demo-net
# shellcheck disable=SC2016 # $(hostname) is for the container's shell
deploy/lab.sh cli h1 service create --name demo --replicas 5 --network demo-net --publish published=8080,target=80 \
  --mount type=tmpfs,target=/www "$image" sh -c 'echo hello from $(hostname) > /www/index.html; httpd -f -p 80 -h /www'
deploy/lab.sh cli h1 service ps demo
echo
echo "The routing mesh answers on every host's address (here h1's, from h5), spreading requests over the tasks:"
for _ in 1 2 3 4; do
  deploy/lab.sh exec h5 sh -c "printf 'GET /index.html HTTP/1.0\r\n\r\n' | busybox nc -w 2 $(deploy/lab.sh ip h1) 8080 | tail -n 1"
done
cat <<TXT

The lab is up: hosts h1..h5 (h1-h3 managers, h4-h5 workers) are network namespaces $name-h1..h5 at
10.213.0.11..15, each running its own 'shoal daemon'; their data, sockets and logs are in .lab/$name/.
  deploy/lab.sh cli h1 node ls            # any shoal command, through a manager's daemon
  deploy/lab.sh cli h4 info               # (a worker's daemon answers for itself only)
  deploy/lab.sh cli h1 service scale demo=8
  deploy/lab.sh exec h4 sh -c "printf 'GET /index.html HTTP/1.0\r\n\r\n' | busybox nc 10.213.0.12 8080"
  deploy/lab.sh exec h2 ip addr           # a command inside a host
  deploy/lab.sh kill h1                   # kill -9 a daemon; then: deploy/lab.sh start h1
  deploy/lab.sh down                      # remove everything the lab made
TXT
