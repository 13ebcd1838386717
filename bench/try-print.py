import json,sys
t=sys.stdin.read(); i=t.index('{'); j=t.rindex('}')
r=json.loads(t[i:j+1]); f=r['figures']
print(r['system'], r['answers'], 'k=',r['timeScale'], r['waited'], r['durationMs'], f['delivery'])
for k in ['overheadToFirstVisible','firstVisibleBotSide','finalLag','finalLagBound','finalLagBotWait','finalLagRateLimited','endToEnd','sentToModel']:
  v=f[k]; print(' ',k, v['n'], v['p50'], v['p95'], v['p99'], v['max'])
print(' queue', r['queueWait']); print(' calls', r['calls']); print(' peak', r['peakStreams'])
print(t[j+1:])
