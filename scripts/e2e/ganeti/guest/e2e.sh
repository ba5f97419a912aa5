# e2e.sh: the guest's checks, sourced by /init and by the CGI scripts (busybox sh).
# lease: DHCP on the channel (the last NIC); prints "lease IFACE IP/MASK server=.. router=.."
lease() {
  chan=$(cat /run/channel)
  rm -f /run/lease
  if udhcpc -i "$chan" -f -q -n -t 30 -T 1 -s /udhcpc.sh > /tmp/udhcpc.log 2>&1; then
    echo "lease $(cut -d' ' -f2- /run/lease)"
  else
    echo "nolease $chan: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
  fi
}
# metad: Ganeti's metadata daemon through the channel (busybox wget segfaults on this
# kernel: nc). meta_data.json is always an empty 200 in Ganeti 3.0; os/parameters.json is
# looked up by the client's address, so it proves metad saw this guest's channel IP: it
# holds the e2e_name OS parameter the node gave this instance ({"e2e_name":["a","public"]}).
# Prints "metad ok name=NAME" or "nometad ...".
metad_get() {  # metad_get PATH: first line of the HTTP response; the whole one in /tmp/metad
  printf 'GET %s HTTP/1.0\r\nHost: 169.254.169.254\r\n\r\n' "$1" \
    | timeout 10 nc -w 5 169.254.169.254 80 > /tmp/metad 2>&1
  head -n 1 /tmp/metad | tr -d '\r'
}
metad() {
  s1=$(metad_get /ganeti/latest/meta_data.json)
  s2=$(metad_get /ganeti/latest/os/parameters.json)
  name=$(tr -d ' \n' < /tmp/metad | sed -n 's/.*"e2e_name":\["\([^"]*\)".*/\1/p')
  case "$s1/$s2" in
    *" 200 "*/*" 200 "*) echo "metad ok name=${name:-?}";;
    *) echo "nometad meta_data.json: ${s1:-no answer}; os/parameters.json: ${s2:-no answer}";;
  esac
}
