/**
 * The one script behind every store operation. Every compare-and-set runs here, atomically,
 * on the server's clock (`TIME`). KEYS: the record hash, the votes zset, the leases zset, all
 * under one hash tag (the `names` and `index` operations: the index hash alone). ARGV: op,
 * channel, name, instance, deadline, then the op's own arguments.
 *
 * The deadline is the server time (ms) after which the command must not act: the sender has
 * given up on it by then and may have superseded it. A command that runs later (a paused
 * server resumed, a reconnection that flushed a queue) changes nothing and answers with an
 * error `LATE <now>`. 0: no deadline (reads only).
 *
 * The reply is the record after the operation: state, epoch, retryAfterMs, attempt, instance,
 * reason, granted (lease only), and the server's time in ms; the counting operations (`run`,
 * `window`, with two more keys: the run hash and the reports hash) add the fleet's counts:
 * calls, failures, slow calls, instances, and 1 while the fleet wants every outcome of the name
 * from the process (0 otherwise). So does a `read` given a counting mode (`run`, `window`): it
 * reports nothing, and answers what the channel would have told a process with no subscription.
 * Numbers that may exceed 14 digits travel as strings (Lua formats numbers with 14 significant
 * digits).
 *
 * The index hash lists the names whose fleet state is not closed (name -> epoch), so that a
 * process that starts knows them before its breakers are created, and a process that
 * reconnects reads only what differs. It is a hint, kept newest epoch first: every name in it
 * is read again before it is believed, and an entry found closed (its record gone) is pruned.
 * It expires a day after it was last written or read (a process that starts reads it).
 *
 * `index` with a closed state removes the entry when it is as new as the entry, or when the
 * entry is the one the sender saw listed (ARGV[8], `seen`) and found closed: a stale entry whose
 * record is gone is pruned.
 *
 * Votes are keyed by instance id, so a process that restarts under the same id replaces its
 * vote; `withdraw` removes a leaving process's vote, the leases it names (ARGV[6..]), its share
 * of the fleet's run and its window report.
 */
export const SCRIPT = `
local s, votes, leases, runKey, reports = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op, channel, name, me, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(nowUs / 1000)
local CLOSED_TTL, MARGIN = 600000, 600000
local function num(x) return string.format('%.0f', x) end
if deadline > 0 and now > deadline then return redis.error_reply('LATE ' .. num(now)) end

local INDEX_TTL = 86400000
if op == 'names' then
  redis.call('PEXPIRE', s, INDEX_TTL)
  return { redis.call('HGETALL', s), num(now) }
elseif op == 'index' then
  local epoch, state, seen = ARGV[6], ARGV[7], ARGV[8]
  local old = redis.call('HGET', s, name)
  local oldEpoch = tonumber(old) or 0
  if state == 'closed' then
    if old and (tonumber(epoch) >= oldEpoch or old == seen) then redis.call('HDEL', s, name) end
  elseif tonumber(epoch) > oldEpoch then redis.call('HSET', s, name, epoch) end
  redis.call('PEXPIRE', s, INDEX_TTL)
  return { num(now) }
end

local raw = redis.call('HMGET', s, 'state', 'epoch', 'until', 'attempt', 'instance', 'reason', 'successes')
local known = { closed = true, open = true, isolated = true, disabled = true }
local F = { state = raw[1], epoch = tonumber(raw[2]) or 0, untilMs = tonumber(raw[3]) or 0,
  attempt = tonumber(raw[4]) or 1, instance = raw[5] or '', reason = raw[6] or '', successes = tonumber(raw[7]) or 0 }
if not known[F.state] then F.state = 'closed' end
local granted = 0

local function liveOpen() return F.state == 'open' and now < F.untilMs end
local function expiredOpen() return F.state == 'open' and now >= F.untilMs end

local function expireZset(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now))
  local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if latest[2] then redis.call('PEXPIRE', key, math.max(tonumber(latest[2]) - now, 1)) end
  return redis.call('ZCARD', key)
end

local function write(state, untilMs, attempt, reason, epoch)
  F.state, F.untilMs, F.attempt, F.reason, F.instance, F.epoch, F.successes = state, untilMs, attempt, reason, me, epoch, 0
  redis.call('DEL', votes, leases)
  if runKey then redis.call('DEL', runKey, reports) end
  redis.call('HSET', s, 'state', state, 'epoch', num(epoch), 'until', num(untilMs), 'attempt', num(attempt),
    'instance', me, 'reason', reason, 'successes', '0')
  if state == 'closed' then redis.call('PEXPIRE', s, CLOSED_TTL)
  elseif state == 'open' then redis.call('PEXPIRE', s, math.max(untilMs - now, 0) + MARGIN)
  else redis.call('PERSIST', s) end
  local r = 0
  if state == 'open' then r = math.max(untilMs - now, 0) end
  local w = ''
  if reason ~= '' then w = ',"w":' .. cjson.encode(reason) end
  redis.call('PUBLISH', channel, '{"v":1,"n":' .. cjson.encode(name) .. ',"e":' .. num(epoch) .. ',"s":"' .. state ..
    '","r":' .. num(r) .. ',"a":' .. num(attempt) .. ',"i":' .. cjson.encode(me) .. w .. '}')
end
local function transition(state, untilMs, attempt, reason)
  write(state, untilMs, attempt, reason, math.max(F.epoch + 1, nowUs))
end

local function trip(reason, ttl, attempt, quorum)
  if liveOpen() or F.state == 'isolated' or F.state == 'disabled' then return end
  redis.call('ZADD', votes, num(now + ttl), me)
  if expireZset(votes) >= quorum then transition('open', now + ttl, attempt, reason) end
end

local counts = nil
-- Counting across the fleet. The run (consecutive mode): '#' its length, '#p' its processes, 'i:<instance>'
-- each process's failures in it, '#a' 1 once it is announced (it is one failure short of the threshold, from two
-- processes or more: every process is told, and reports every outcome until it ends), '#q' the processes whose
-- failures it counted since, each marked 'a:<instance>'. Only an announced run opens the fleet, with failures
-- since from two processes (or quorum, if more).
-- The reports (rate mode): 'i:<instance>' = 'calls,failures,slow,expiry', '#' the server time the fleet started
-- counting (their sum near a threshold: every process is told, and reports its window each period). The fleet
-- decides on the sum only once it has been counting for a report period. Both expire; a transition deletes them.
-- A count reply and message hold calls, failures, slow calls, instances and 1 while the fleet wants every outcome.
local function countMessage(c)
  redis.call('PUBLISH', channel, '{"v":1,"n":' .. cjson.encode(name) .. ',"k":[' .. num(c[1]) .. ',' .. num(c[2]) ..
    ',' .. num(c[3]) .. ',' .. num(c[4]) .. ',' .. num(c[5]) .. ']}')
end
local NONE = { 0, 0, 0, 0, 0 }
local function runOp()
  local lead, reset, tail, threshold = tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
  local ttl, attempt, quorum, keep = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
  local announced = redis.call('HGET', runKey, '#a') == '1'
  local function add(k)
    if k <= 0 or F.state ~= 'closed' then return end
    local n = redis.call('HINCRBY', runKey, '#', k)
    local p = tonumber(redis.call('HGET', runKey, '#p')) or 0
    if redis.call('HINCRBY', runKey, 'i:' .. me, k) == k then p = redis.call('HINCRBY', runKey, '#p', 1) end
    redis.call('PEXPIRE', runKey, math.max(keep, 1))
    if not announced then return end
    local q = tonumber(redis.call('HGET', runKey, '#q')) or 0
    if redis.call('HSETNX', runKey, 'a:' .. me, '1') == 1 then q = redis.call('HINCRBY', runKey, '#q', 1) end
    if n >= threshold and q >= math.max(quorum, 2) then transition('open', now + ttl, attempt, 'failures') end
  end
  add(lead)
  if reset == '1' and F.state == 'closed' then
    redis.call('DEL', runKey)
    add(tail)
  end
  if F.state ~= 'closed' then return NONE end
  local n = tonumber(redis.call('HGET', runKey, '#')) or 0
  local p = tonumber(redis.call('HGET', runKey, '#p')) or 0
  -- A run that starts again from the failures after a success stays announced; one that ends is no longer.
  local told = n > 0 and (announced or (p >= 2 and n >= threshold - 1))
  if told then redis.call('HSET', runKey, '#a', '1') end
  local c = { n, n, 0, p, 0 }
  if n > 0 then c[5] = 1 end
  if told ~= announced then countMessage(c) end
  return c
end
local NEAR = 0.5
local function windowOp()
  local calls, failures, slow, keep = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
  local minimum, fRate, sRate = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
  local ttl, attempt, quorum, period = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])
  redis.call('HSET', reports, 'i:' .. me, num(calls) .. ',' .. num(failures) .. ',' .. num(slow) .. ',' .. num(now + keep))
  local all = redis.call('HGETALL', reports)
  local C, Fs, S, P, PF, PS, last, since = 0, 0, 0, 0, 0, 0, now + 1, 0
  for i = 1, #all, 2 do
    if all[i] == '#' then since = tonumber(all[i + 1]) or 0
    else
      local c, f, sl, e = string.match(all[i + 1], '^(%d+),(%d+),(%d+),(%d+)$')
      e = tonumber(e)
      if e == nil or e <= now then redis.call('HDEL', reports, all[i])
      else
        c, f, sl = tonumber(c), tonumber(f), tonumber(sl)
        C, Fs, S, P, last = C + c, Fs + f, S + sl, P + 1, math.max(last, e)
        if f > 0 then PF = PF + 1 end
        if sl > 0 then PS = PS + 1 end
      end
    end
  end
  redis.call('PEXPIRE', reports, last - now)
  if since > 0 and now - since >= period and C > 0 and C >= minimum then
    if Fs / C >= fRate and PF >= quorum then transition('open', now + ttl, attempt, 'failureRate')
    elseif sRate <= 1 and S / C >= sRate and PS >= quorum then transition('open', now + ttl, attempt, 'slowCallRate') end
  end
  if F.state ~= 'closed' then return NONE end
  local near = C > 0 and (Fs >= NEAR * fRate * C or (sRate <= 1 and S >= NEAR * sRate * C))
  local c = { C, Fs, S, P, 0 }
  if near then c[5] = 1 end
  if near and since == 0 then
    redis.call('HSET', reports, '#', num(now))
    countMessage(c)
  elseif not near and since > 0 then
    redis.call('HDEL', reports, '#')
    countMessage(c)
  end
  return c
end
-- An instance that leaves takes its share of the run and its window report with it.
local function withdrawOp()
  local share = tonumber(redis.call('HGET', runKey, 'i:' .. me)) or 0
  if share > 0 then
    redis.call('HDEL', runKey, 'i:' .. me)
    redis.call('HINCRBY', runKey, '#p', -1)
    if redis.call('HINCRBY', runKey, '#', -share) <= 0 then
      local announced = redis.call('HGET', runKey, '#a') == '1'
      redis.call('DEL', runKey)
      if announced then countMessage(NONE) end
    end
  end
  redis.call('HDEL', reports, 'i:' .. me)
end
-- A read with a counting mode ('run' or 'window'), from a process with no subscription: the fleet's counts as the
-- channel would have told them, reporting nothing and changing nothing. The fleet wants every outcome from the process
-- while a run it has a share in is counted or a run is announced, or while the fleet counts the name's windows.
local function peekOp(mode)
  if F.state ~= 'closed' then return NONE end
  if mode == 'run' then
    local r = redis.call('HMGET', runKey, '#', '#p', '#a', 'i:' .. me)
    local n = tonumber(r[1]) or 0
    local c = { n, n, 0, tonumber(r[2]) or 0, 0 }
    if n > 0 and (r[3] == '1' or (tonumber(r[4]) or 0) > 0) then c[5] = 1 end
    return c
  end
  local all = redis.call('HGETALL', reports)
  local c = { 0, 0, 0, 0, 0 }
  for i = 1, #all, 2 do
    if all[i] == '#' then c[5] = 1
    else
      local k, f, sl, e = string.match(all[i + 1], '^(%d+),(%d+),(%d+),(%d+)$')
      if tonumber(e) and tonumber(e) > now then
        c[1], c[2], c[3], c[4] = c[1] + tonumber(k), c[2] + tonumber(f), c[3] + tonumber(sl), c[4] + 1
      end
    end
  end
  return c
end
local function countOp()
  -- Only a closed fleet counts; a name's counts start again with each transition.
  if F.state ~= 'closed' then return NONE end
  if op == 'run' then return runOp() end
  return windowOp()
end

if op == 'publish' then
  local state, reason, ttl, attempt, quorum = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
  if state == 'open' and (reason == 'failures' or reason == 'failureRate' or reason == 'slowCallRate') then
    trip(reason, ttl, attempt, quorum)
  elseif state == 'open' and reason == 'probeFailed' then
    if expiredOpen() then transition('open', now + ttl, math.max(attempt, F.attempt + 1), reason)
    elseif F.state == 'closed' then trip(reason, ttl, attempt, quorum) end
  elseif state == 'closed' and reason == 'probesSucceeded' then
    if expiredOpen() then transition('closed', 0, 1, reason) end
  else
    local untilMs = 0
    if state == 'open' then untilMs = now + ttl end
    transition(state, untilMs, attempt, reason)
  end
elseif op == 'lease' then
  local id, ttl, max = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
  if F.state == 'closed' or F.state == 'disabled' then granted = 1
  elseif expiredOpen() and expireZset(leases) + F.successes < max then
    redis.call('ZADD', leases, num(now + ttl), id)
    expireZset(leases)
    granted = 1
  end
elseif op == 'done' then
  local id, outcome, max = ARGV[6], ARGV[7], tonumber(ARGV[8])
  redis.call('ZREM', leases, id)
  if outcome == 'success' and expiredOpen() then
    F.successes = redis.call('HINCRBY', s, 'successes', 1)
    if F.successes >= max then transition('closed', 0, 1, 'probesSucceeded') end
  end
elseif op == 'withdraw' then
  redis.call('ZREM', votes, me)
  for i = 6, #ARGV do redis.call('ZREM', leases, ARGV[i]) end
  withdrawOp()
elseif op == 'run' or op == 'window' then
  counts = countOp()
elseif op == 'read' and (ARGV[6] == 'run' or ARGV[6] == 'window') then
  counts = peekOp(ARGV[6])
elseif op == 'restore' then
  local epoch, state, reason, ttl, attempt = tonumber(ARGV[6]), ARGV[7], ARGV[8], tonumber(ARGV[9]), tonumber(ARGV[10])
  if F.epoch < epoch then
    local untilMs = 0
    if state == 'open' then untilMs = now + ttl end
    write(state, untilMs, attempt, reason, epoch)
  end
end

local left = 0
if F.state == 'open' then left = math.max(F.untilMs - now, 0) end
local reply = { F.state, num(F.epoch), num(left), num(F.attempt), F.instance, F.reason, granted, num(now) }
if counts then
  for i = 1, 5 do reply[8 + i] = num(counts[i]) end
end
return reply
`;
