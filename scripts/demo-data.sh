#!/usr/bin/env bash
# Loads demo data into the database at PACTO_DATABASE_URL: the IBGE states and
# municipalities from data/, two mayors, and one demo account per role. Safe to
# run again.
#   scripts/demo-data.sh [PACTO_BINARY]   (default build/pacto)
set -euo pipefail

: "${PACTO_DATABASE_URL:?set PACTO_DATABASE_URL}"
root=$(cd "$(dirname "$0")/.." && pwd)
pacto=${1:-$root/build/pacto}
data=$root/data
password='pacto-demo-2026'
export PGCLIENTENCODING=UTF8

sql() { psql "$PACTO_DATABASE_URL" -X -q -v ON_ERROR_STOP=1; }

# The municipalities are stored compressed. They are decompressed whole first:
# a damaged archive then stops the script before anything is imported, where
# through a pipe the import could take a truncated list.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$data/ibge-municipios.csv.gz" >"$tmp/ibge-municipios.csv"
"$pacto" import-states "$data/ibge-estados.csv"
"$pacto" import-municipalities "$tmp/ibge-municipios.csv"

sql <<'SQL'
UPDATE municipalities SET mayor_name = 'Maria Demo', mayor_cpf = '52998224725' WHERE ibge_code = '5002704';
UPDATE municipalities SET mayor_name = 'João Demo', mayor_cpf = '11144477735' WHERE ibge_code = '5003702';
SQL

# add_user EMAIL NAME ROLE [OPTIONS...]: creates the account unless it exists
# (`pacto user add` exits 3 when the e-mail is taken).
add_user() {
  local email=$1 name=$2 role=$3 rc=0 err
  shift 3
  err=$(printf '%s\n' "$password" |
    "$pacto" user add --email "$email" --name "$name" --role "$role" "$@" 2>&1 >/dev/null) || rc=$?
  case $rc in
    0) echo "demo-data: created $email" ;;
    3) echo "demo-data: $email exists" ;;
    *) echo "demo-data: could not create $email (exit $rc): $err" >&2; return "$rc" ;;
  esac
}

add_user coordenacao@demo.pacto "Coordenação Demo" secretariat --area coordination
add_user saude@demo.pacto "Saúde Demo" secretariat --area health
add_user educacao@demo.pacto "Educação Demo" secretariat --area education
add_user prefeita.cg@demo.pacto "Maria Demo" mayor --municipality 5002704 --cpf 52998224725
add_user prefeito.dourados@demo.pacto "João Demo" mayor --municipality 5003702 --cpf 11144477735
add_user representante.cg@demo.pacto "Representante Demo" representative --municipality 5002704 --cpf 39053344705

cat <<LIST

Demo accounts (password: $password)
  coordenacao@demo.pacto        secretariat, coordination (every area, cycles, users, audit)
  saude@demo.pacto              secretariat, health
  educacao@demo.pacto           secretariat, education
  prefeita.cg@demo.pacto        mayor of Campo Grande (5002704), CPF 529.982.247-25
  prefeito.dourados@demo.pacto  mayor of Dourados (5003702), CPF 111.444.777-35
  representante.cg@demo.pacto   representative of Campo Grande (5002704)
LIST
