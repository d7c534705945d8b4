"""FFmpeg-based media: probing, timeline rendering, subtitles and audio mixing."""
