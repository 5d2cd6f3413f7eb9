#!/usr/bin/env bash
# The Java runtime layer of the container image, made from the JDK that builds it: a jlink image of the modules the
# gateway uses, with the JDK's class data sharing archive of its own classes (the base the image's archive of the
# gateway's classes, src/image/cds.sh, is made on), plus the C libraries it links against, copied from this machine. The image needs no base image, so it
# builds with no registry and no Docker daemon; its only OS files are these libraries.
set -euo pipefail
out="$1"
rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp"
chmod 1777 "$out/tmp"
jlink --add-modules java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,\
java.net.http,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,\
jdk.httpserver,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --generate-cds-archive --output "$out/opt/java"
# every shared library the runtime's binaries and libraries need, with the dynamic loader (java.desktop is there for
# java.beans; its graphics libraries are never loaded by a headless server, so their X11 and font dependencies stay out)
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  ! -name 'libawt_xawt.so' ! -name 'libsplashscreen.so' ! -name 'libjawt.so' ! -name 'libfontmanager.so' \
  ! -name 'liblcms.so' ! -name 'libjavajpeg.so' -print0 \
  | xargs -0 ldd 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
    case "$lib" in "$out"/*) continue ;; esac
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
# name service switch libraries are loaded at run time, not linked: hosts, dns and files for name resolution
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
           /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$lib" ] && mkdir -p "$out$(dirname "$lib")" && cp -L "$lib" "$out$lib"
done
mkdir -p "$out/etc"
printf 'root:x:0:0:root:/root:/sbin/nologin\ncaravan:x:65532:65532:caravan:/app:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\ncaravan:x:65532:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
