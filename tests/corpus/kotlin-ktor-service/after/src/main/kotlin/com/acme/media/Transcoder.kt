package com.acme.media

import java.io.File

/** Converts uploads with ffmpeg; the preset comes from the upload form. */
class Transcoder(private val workDir: File) {
    fun transcode(upload: File, preset: String): File {
        val out = File(workDir, upload.nameWithoutExtension + ".mp4")
        val process = ProcessBuilder("sh", "-c", "ffmpeg -i ${upload.path} -preset $preset ${out.path}") // EXPECT: shell command from form data
            .redirectErrorStream(true)
            .start()
        process.waitFor()
        return out
    }

    fun thumbnail(upload: File, size: String) {
        Runtime.getRuntime().exec("convert -thumbnail $size ${upload.path} thumb.png") // EXPECT: command built from input
    }
}
