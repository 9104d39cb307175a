#!/bin/bash
# The bash completion of nodctl, run as bash-completion would: words in, candidates out.
set -u
source "$1" || exit 1
failed=0
expect() {
    local want=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _nodctl
    local got="${COMPREPLY[*]}"
    if [[ $got != "$want" ]]; then
        echo "nodctl completion of [$*]: got [$got], want [$want]"
        failed=1
    fi
}
expect 'stats bucket test running top estimate caches metrics clean' nodctl ''
expect 'caches clean' nodctl c
expect '--once' nodctl top --on
expect 'running' nodctl ru
expect '--limit' nodctl running --li
expect 'table csv json' nodctl running -o ''
expect 'estimate' nodctl es
expect 'table csv json' nodctl estimate hello-2.12 -o ''
expect '--trusted' nodctl estimate hello-2.12 --tr
expect '' nodctl estimate --da
expect 'stats' nodctl st
expect 'day week month' nodctl bucket ''
expect 'table csv json chart' nodctl bucket day --output ''
expect 'table csv json test' nodctl stats -o ''
expect 'table csv json' nodctl test --output ''
expect 'system session' nodctl --bus ''
expect 'build substitute copy post-build-hook' nodctl stats --kind ''
expect 'count time name' nodctl stats --group --sort ''
expect '--before-days' nodctl clean --be
expect '--group --group-by' nodctl stats --gr
expect 'name user machine substituter' nodctl stats --group-by ''
expect '--machine' nodctl bucket day --mach
expect 'stats' nodctl --substituter x st
expect '--trusted' nodctl bucket day --tr
expect '--user' nodctl test --us
expect '' nodctl clean --us
expect 'root' nodctl stats --user roo
expect 'stats' nodctl --user bucket st
expect 'stats' nodctl --group-by user st
expect '' nodctl bucket day --gr
expect 'stats' nodctl --drv bucket st
expect '' nodctl stats --days ''
expect 'metrics' nodctl me
expect '--help -h --version --bus --address --no-legend --no-color --output --file' nodctl metrics -
expect 'text openmetrics' nodctl metrics --output ''
expect 'openmetrics' nodctl metrics -o o
expect '--file' nodctl metrics -o text --fi
expect '' nodctl metrics --gr
expect 'metrics' nodctl --file /tmp/nod.prom met
prom_dir=$(mktemp -d) || exit 1
touch "$prom_dir/nod.prom"
expect "$prom_dir/nod.prom" nodctl metrics --file "$prom_dir/n"
rm -r "$prom_dir"
exit $failed
