#!/usr/bin/env bash
# The container image's class path and its class data sharing archive (AppCDS), made for the image as it runs: its
# Java runtime (image-runtime, jlinked with the JDK's own base archive), its jars where Jib puts them (/app/classpath,
# /app/libs) with the modification time Jib gives every file, and its working directory /app/caravan.
#
# An archive maps classes only from the jars it was made with, checked by path, size and modification time. JDK 17
# compares an absolute class path as written (so an archive of /app/... could only be made inside the image), but
# resolves a relative one from the working directory: the image's class path is therefore relative to /app/caravan,
# and the same class path in a copy of the image's layout trains the archive here. (Jib's own class path starts with
# the directories /app/resources and /app/classes, which CDS refuses; the image has the classes in a jar instead.)
#
# usage: cds.sh TARGET MTIME SKIP JAVA TRAINER_CLASSPATH
#   TARGET   the build directory, with caravan.jar, lib/, image-runtime/ and image-classpath.txt (the runtime
#            dependencies in Maven's order, which is Jib's, as ../libs/<jar>)
#   MTIME    the modification time Jib gives the image's files (its filesModificationTime)
#   SKIP     true leaves the archive out (-Dcds.skip): the image then starts without class sharing
#   JAVA TRAINER_CLASSPATH   what runs dev.caravan.bench.CacheTraining
# It leaves TARGET/image-app/app/caravan.classpath and caravan.jsa, which the image has as /app/caravan.classpath and
# /app/caravan.jsa.
set -euo pipefail
target="$1" mtime="$2" skip="$3" java="$4" trainer_classpath="$5"
project="$(cd "$(dirname "$0")/../.." && pwd)"
stage="$target/image-stage"
out="$target/image-app/app"
rm -rf "$stage" "$target/image-app"
mkdir -p "$out"
# Jib's order: the project's classes first, then its dependencies
printf '../classpath/caravan.jar:%s\n' "$(cat "$target/image-classpath.txt")" > "$out/caravan.classpath"
[ "$skip" = true ] && exit 0

mkdir -p "$stage/app/classpath" "$stage/app/libs" "$stage/app/caravan/config"
cp "$target/caravan.jar" "$stage/app/classpath/"
cp "$target"/lib/*.jar "$stage/app/libs/"
touch -d "$mtime" "$stage"/app/classpath/*.jar "$stage"/app/libs/*.jar
cp -r "$project/routes" "$project/kamelets" "$stage/app/caravan/"
cp "$project/config/application.properties" "$stage/app/caravan/config/"
cd "$stage/app/caravan"
"$java" -classpath "$trainer_classpath" dev.caravan.bench.CacheTraining 10 "$target/image-cds-training.log" \
  "$target/image-runtime/opt/java/bin/java" -XX:ArchiveClassesAtExit="$out/caravan.jsa" \
  -cp "@$out/caravan.classpath" dev.caravan.CaravanMain
rm -rf "$stage"
