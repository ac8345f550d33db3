// zlib, reached only through the Importers target (GzipFile in ByteStream.swift).
#include <zlib.h>
