#!/usr/bin/env bash
# Makes sure MariaDB answers on 127.0.0.1:3306 as root with an empty password, and Redis on
# 127.0.0.1:6379, installing and starting them on a fresh Debian machine. Idempotent.
set -euo pipefail

mariadb_answers() { mariadb -h127.0.0.1 -P3306 -uroot --password= -e 'SELECT 1' >/dev/null 2>&1; }

if ! mariadb_answers; then
  if ! command -v mariadbd >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server # postinst cannot start it here; started below
  fi
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  if ! mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    # mariadbd refuses to run as root unless told which user to be.
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  fi
  for i in $(seq 1 60); do
    mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    [ "$i" = 60 ] && { echo "MariaDB did not come up" >&2; exit 1; }
    sleep 1
  done
  # Debian's root@localhost is unix_socket only; allow an empty password over TCP as well.
  mariadb -uroot <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
  mariadb_answers || { echo "MariaDB does not accept root over TCP" >&2; exit 1; }
fi
echo "MariaDB: $(mariadb -h127.0.0.1 -uroot --password= -N -e 'SELECT VERSION()')"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for i in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    [ "$i" = 30 ] && { echo "Redis did not come up" >&2; exit 1; }
    sleep 1
  done
fi
echo "Redis: $(redis-cli -h 127.0.0.1 -p 6379 ping)"
