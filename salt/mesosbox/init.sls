{#- mesosbox: install the package, write its settings with the cluster's
    peers and join token from pillar, open the firewall and run the service.
    Apply to the three nodes of a cluster; see pillar.example. The first
    node of mesosbox:nodes starts the cluster, the others join it. -#}
{%- set mb = salt['pillar.get']('mesosbox', {}) %}
{%- set me = grains['id'] %}
{%- set nodes = mb.get('nodes', []) %}
{%- set peers = nodes | reject('equalto', me) | list %}
{%- set join = peers if (nodes and nodes[0] != me) else [] %}
{%- set settings = {} %}
{%- do settings.update(mb.get('settings', {})) %}
{%- do settings.update(mb.get('node_settings', {}).get(me, {})) %}
{%- set sysconfig = '/etc/default/mesosbox' if grains['os_family'] == 'Debian' else '/etc/sysconfig/mesosbox' %}
{#- One credentials file for the whole cluster: a follower proxies Marathon
    and Chronos requests to the leader with the client's login. -#}
{%- set credentials = '/etc/mesosbox/http-credentials' if mb.get('http_credentials') else '' %}

{%- if mb.get('repo') %}
mesosbox-repo:
  pkgrepo.managed:
    - name: mesosbox
    - humanname: mesosbox
    - baseurl: {{ mb['repo']['baseurl'] | tojson }}
    - gpgcheck: {{ mb['repo'].get('gpgcheck', 1) | int }}
    - require_in:
      - pkg: mesosbox-pkg
{%- endif %}

mesosbox-pkg:
  pkg.installed:
    - name: mesosbox
{%- if mb.get('version') %}
    - version: {{ mb['version'] | tojson }}
{%- endif %}

mesosbox-sysconfig:
  file.managed:
    - name: {{ sysconfig }}
    - source: salt://mesosbox/files/sysconfig.jinja
    - template: jinja
    - user: root
    - group: root
    - mode: '0600'
    - context:
        node: {{ me | tojson }}
        join: {{ join | tojson }}
        join_token: {{ mb.get('join_token', '') | tojson }}
        credentials: {{ credentials | tojson }}
        settings: {{ settings | tojson }}
    - require:
      - pkg: mesosbox-pkg
{%- if credentials %}

mesosbox-credentials:
  file.managed:
    - name: {{ credentials }}
    - source: salt://mesosbox/files/http-credentials.jinja
    - template: jinja
    - user: root
    - group: root
    - mode: '0600'
    - makedirs: True
    - context:
        users: {{ mb['http_credentials'] | tojson }}
    - require:
      - pkg: mesosbox-pkg
{%- endif %}

{%- if mb.get('firewalld', True) %}

mesosbox-firewall:
  firewalld.present:
    - name: {{ mb.get('firewall_zone', 'public') | tojson }}
    - services:
      - mesosbox
{%- for source in mb.get('firewall_sources', []) %}
{%- if loop.first %}
    - sources:
{%- endif %}
      - {{ source | tojson }}
{%- endfor %}
    - prune_services: False
    - prune_sources: False
    - require:
      - pkg: mesosbox-pkg
{%- endif %}

mesosbox-service:
  service.running:
    - name: mesosbox
    - enable: True
    - watch:
      - pkg: mesosbox-pkg
      - file: mesosbox-sysconfig
{%- if credentials %}
      - file: mesosbox-credentials
{%- endif %}
