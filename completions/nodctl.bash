# bash completion for nodctl(1)                                      -*- shell-script -*-

_nodctl() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local global='--help -h --version --bus --address --no-legend --no-color'
    local filters='--days --months --drv --kind --user --trusted --machine --substituter'
    local commands='stats bucket test running top estimate caches metrics clean'

    # The command is the first word that is neither an option nor an option's value.
    local command='' unit='' i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --bus|--address|--days|--months|--drv|--kind|--user|--machine|--substituter|--group-by|--sort|--limit|--output|-o|--before-days|--file)
                ((i++)) ;;
            -*) ;;
            *)
                if [[ -z $command ]]; then
                    command=${words[i]}
                elif [[ $command == bucket && -z $unit ]]; then
                    unit=${words[i]}
                fi ;;
        esac
    done

    case $prev in
        --bus) COMPREPLY=($(compgen -W 'system session' -- "$cur")); return ;;
        --kind) COMPREPLY=($(compgen -W 'build substitute copy post-build-hook' -- "$cur")); return ;;
        --sort) COMPREPLY=($(compgen -W 'count time name' -- "$cur")); return ;;
        --group-by) COMPREPLY=($(compgen -W 'name user machine substituter' -- "$cur")); return ;;
        --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
        --output|-o)
            case $command in
                bucket) COMPREPLY=($(compgen -W 'table csv json chart' -- "$cur")) ;;
                test|estimate|running|caches) COMPREPLY=($(compgen -W 'table csv json' -- "$cur")) ;;
                metrics) COMPREPLY=($(compgen -W 'text openmetrics' -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W 'table csv json test' -- "$cur")) ;;
            esac
            return ;;
        --file)
            if declare -F _filedir >/dev/null 2>&1; then
                _filedir
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return ;;
        --address|--days|--months|--drv|--limit|--before-days|--machine|--substituter) return ;;
    esac

    local options
    case $command in
        ''|stats) options="$global $filters --group --group-by --sort --limit --output" ;;
        bucket) options="$global $filters --output" ;;
        test) options="$global $filters --group --output" ;;
        estimate) options="$global --kind --user --trusted --output" ;;
        running) options="$global --kind --user --trusted --limit --output" ;;
        top) options="$global --kind --user --trusted --once" ;;
        caches) options="$global --days --months --user --trusted --output" ;;
        metrics) options="$global --output --file" ;;
        clean) options="$global --before-days" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ $command == bucket && -z $unit ]]; then
        COMPREPLY=($(compgen -W 'day week month' -- "$cur"))
    fi
}

complete -F _nodctl nodctl
